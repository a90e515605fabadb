/** An expression outside the subset evaluated offline, or one that does not parse. */
export class UnsupportedExpressionError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'UnsupportedExpressionError';
  }
}

/** A parsed metric math expression. */
export type ExpressionNode =
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'id'; readonly id: string }
  | { readonly kind: 'negate'; readonly operand: ExpressionNode }
  | { readonly kind: 'binary'; readonly operator: string; readonly left: ExpressionNode; readonly right: ExpressionNode }
  | { readonly kind: 'call'; readonly name: string; readonly args: readonly ExpressionNode[] };

/** The functions evaluated offline, with their arity. */
const FUNCTIONS: Readonly<Record<string, number>> = { IF: 3, FILL: 2, ABS: 1 };

/** Lowest to highest precedence; CloudWatch's comparisons bind looser than arithmetic. */
const PRECEDENCE: readonly (readonly string[])[] = [['OR', '||'], ['AND', '&&'], ['==', '!=', '<', '<=', '>', '>='], ['+', '-'], ['*', '/']];

const TOKEN = /\s*(\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|[A-Za-z_][A-Za-z0-9_]*|==|!=|<=|>=|&&|\|\||[-+*/()<>,])/y;

/**
 * Parses the subset of CloudWatch metric math our template's alarms use:
 * numbers, ids, `+ - * /`, comparisons, AND/OR, parentheses, and the
 * functions IF, FILL (with a number) and ABS. Anything else is an
 * UnsupportedExpressionError, so the alarm is reported as not evaluated
 * instead of being evaluated wrongly.
 */
export function parseMetricExpression(text: string): ExpressionNode {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    if (/^\s*$/.test(text.slice(TOKEN.lastIndex))) break;
    const match = TOKEN.exec(text);
    if (!match) throw new UnsupportedExpressionError(`metric math "${text}": cannot read "${text.slice(TOKEN.lastIndex).trim()}"`);
    tokens.push(match[1]!);
  }
  let position = 0;
  const peek = (): string | undefined => tokens[position];
  const expect = (token: string): void => {
    if (tokens[position] !== token) throw new UnsupportedExpressionError(`metric math "${text}": expected "${token}" at token ${position + 1}`);
    position += 1;
  };
  const parseLevel = (level: number): ExpressionNode => {
    if (level === PRECEDENCE.length) return parseUnary();
    let left = parseLevel(level + 1);
    while (peek() !== undefined && PRECEDENCE[level]!.includes(peek()!.toUpperCase())) {
      const operator = normalise(tokens[position++]!);
      left = { kind: 'binary', operator, left, right: parseLevel(level + 1) };
    }
    return left;
  };
  const parseUnary = (): ExpressionNode => {
    if (peek() === '-') {
      position += 1;
      return { kind: 'negate', operand: parseUnary() };
    }
    return parsePrimary();
  };
  const parsePrimary = (): ExpressionNode => {
    const token = tokens[position++];
    if (token === undefined) throw new UnsupportedExpressionError(`metric math "${text}": ends too early`);
    if (token === '(') {
      const inner = parseLevel(0);
      expect(')');
      return inner;
    }
    if (/^\d/.test(token)) return { kind: 'number', value: Number(token) };
    if (!/^[A-Za-z_]/.test(token)) throw new UnsupportedExpressionError(`metric math "${text}": unexpected "${token}"`);
    if (peek() !== '(') return { kind: 'id', id: token };
    const name = token.toUpperCase();
    const arity = FUNCTIONS[name];
    if (arity === undefined) throw new UnsupportedExpressionError(`metric math function ${token} is not evaluated offline (IF, FILL and ABS are)`);
    position += 1;
    const args: ExpressionNode[] = [];
    while (peek() !== ')') {
      args.push(parseLevel(0));
      if (peek() === ',') position += 1;
      else break;
    }
    expect(')');
    if (args.length !== arity) throw new UnsupportedExpressionError(`metric math "${text}": ${name} takes ${arity} arguments, got ${args.length}`);
    if (name === 'FILL' && args[1]!.kind !== 'number') throw new UnsupportedExpressionError(`metric math "${text}": FILL is evaluated offline with a number only`);
    return { kind: 'call', name, args };
  };
  const tree = parseLevel(0);
  if (position !== tokens.length) throw new UnsupportedExpressionError(`metric math "${text}": unexpected "${tokens[position]}"`);
  return tree;
}

const normalise = (operator: string): string => ({ AND: '&&', OR: '||' })[operator.toUpperCase()] ?? operator;

/** The ids an expression reads. */
export function expressionIds(node: ExpressionNode): string[] {
  switch (node.kind) {
    case 'id':
      return [node.id];
    case 'number':
      return [];
    case 'negate':
      return expressionIds(node.operand);
    case 'binary':
      return [...expressionIds(node.left), ...expressionIds(node.right)];
    case 'call':
      return node.args.flatMap(expressionIds);
  }
}

/**
 * The expression's value for one period, given each id's value then
 * (undefined: no datapoint). As in CloudWatch, arithmetic on a missing
 * datapoint has no datapoint, FILL supplies one, and IF picks per period;
 * a division by zero has no datapoint either.
 */
export function evaluateMetricExpression(node: ExpressionNode, valueOfId: (id: string) => number | undefined): number | undefined {
  const evaluate = (current: ExpressionNode): number | undefined => {
    switch (current.kind) {
      case 'number':
        return current.value;
      case 'id':
        return valueOfId(current.id);
      case 'negate': {
        const operand = evaluate(current.operand);
        return operand === undefined ? undefined : -operand;
      }
      case 'binary': {
        const left = evaluate(current.left);
        const right = evaluate(current.right);
        if (left === undefined || right === undefined) return undefined;
        return applyOperator(current.operator, left, right);
      }
      case 'call': {
        const [first, second, third] = current.args;
        if (current.name === 'FILL') return evaluate(first!) ?? evaluate(second!);
        if (current.name === 'ABS') {
          const value = evaluate(first!);
          return value === undefined ? undefined : Math.abs(value);
        }
        const condition = evaluate(first!);
        if (condition === undefined) return undefined;
        return condition !== 0 ? evaluate(second!) : evaluate(third!);
      }
    }
  };
  return evaluate(node);
}

function applyOperator(operator: string, left: number, right: number): number | undefined {
  switch (operator) {
    case '+':
      return left + right;
    case '-':
      return left - right;
    case '*':
      return left * right;
    case '/':
      return right === 0 ? undefined : left / right;
    case '==':
      return Number(left === right);
    case '!=':
      return Number(left !== right);
    case '<':
      return Number(left < right);
    case '<=':
      return Number(left <= right);
    case '>':
      return Number(left > right);
    case '>=':
      return Number(left >= right);
    case '&&':
      return Number(left !== 0 && right !== 0);
    case '||':
      return Number(left !== 0 || right !== 0);
    default:
      throw new UnsupportedExpressionError(`operator ${operator} is not evaluated offline`);
  }
}
