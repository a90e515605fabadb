/** What a Ref or Fn::GetAtt resolves to for one local resource. */
export interface ResolvedResource {
  readonly ref: string;
  readonly attributes: Readonly<Record<string, string>>;
}

/** The values intrinsic functions resolve against. */
export interface IntrinsicContext {
  readonly resources: ReadonlyMap<string, ResolvedResource>;
  readonly pseudo: Readonly<Record<string, string>>;
}

export class UnresolvableIntrinsicError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'UnresolvableIntrinsicError';
  }
}

/**
 * Resolves CloudFormation intrinsics (Ref, Fn::GetAtt, Fn::Join, Fn::Sub,
 * Fn::Select, Fn::Split) in a template value against the local resources.
 * Anything it cannot resolve is an error naming it: a wrong value silently
 * passed to a function would be worse than not starting.
 */
export function resolveIntrinsics(value: unknown, context: IntrinsicContext): unknown {
  if (Array.isArray(value)) return value.map((item) => resolveIntrinsics(item, context));
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 1) {
    const [name, argument] = entries[0]!;
    switch (name) {
      case 'Ref':
        return resolveRef(String(argument), context);
      case 'Fn::GetAtt': {
        const [logicalId, attribute] = Array.isArray(argument) ? argument.map(String) : String(argument).split('.');
        return resolveGetAtt(logicalId!, attribute!, context);
      }
      case 'Fn::Join': {
        const [separator, parts] = argument as [string, unknown[]];
        return (resolveIntrinsics(parts, context) as unknown[]).map(String).join(separator);
      }
      case 'Fn::Select': {
        const [index, list] = argument as [unknown, unknown];
        const resolved = resolveIntrinsics(list, context) as unknown[];
        return resolved[Number(resolveIntrinsics(index, context))];
      }
      case 'Fn::Split': {
        const [separator, source] = argument as [string, unknown];
        return String(resolveIntrinsics(source, context)).split(separator);
      }
      case 'Fn::Sub':
        return resolveSub(argument, context);
      default:
        if (name.startsWith('Fn::') || name === 'Condition') {
          throw new UnresolvableIntrinsicError(`${name} is not supported offline`);
        }
    }
  }
  return Object.fromEntries(entries.map(([key, item]) => [key, resolveIntrinsics(item, context)]));
}

function resolveRef(name: string, context: IntrinsicContext): string {
  const pseudo = context.pseudo[name];
  if (pseudo !== undefined) return pseudo;
  const resource = context.resources.get(name);
  if (!resource) throw new UnresolvableIntrinsicError(`Ref to ${name}, which has no local counterpart`);
  return resource.ref;
}

function resolveGetAtt(logicalId: string, attribute: string, context: IntrinsicContext): string {
  const resource = context.resources.get(logicalId);
  const value = resource?.attributes[attribute];
  if (value === undefined) throw new UnresolvableIntrinsicError(`Fn::GetAtt ${logicalId}.${attribute} has no local value`);
  return value;
}

function resolveSub(argument: unknown, context: IntrinsicContext): string {
  const [text, variables] = Array.isArray(argument) ? (argument as [string, Record<string, unknown>]) : [String(argument), {}];
  return text.replace(/\$\{([^}]+)\}/g, (_match, expression: string) => {
    if (expression.startsWith('!')) return `\${${expression.slice(1)}}`;
    if (variables[expression] !== undefined) return String(resolveIntrinsics(variables[expression], context));
    const dot = expression.indexOf('.');
    return dot > 0 ? resolveGetAtt(expression.slice(0, dot), expression.slice(dot + 1), context) : resolveRef(expression, context);
  });
}
