/**
 * The source text of each event's `data` in an ingest body, as the producer
 * wrote it (whitespace outside strings removed), for the stream record.
 *
 * `JSON.parse` reads numbers as doubles: `12345678901234567890` becomes
 * `12345678901234567000`, `0.1000000000000000000001` becomes `0.1`. The
 * pipeline aggregates those doubles, but the raw event it stores and serves
 * must be the producer's own digits, so ingest copies `data` from the body's
 * text instead of re-serialising the parsed value.
 *
 * `text` must be valid JSON (it has already passed `JSON.parse`). The scan is
 * iterative, so nesting depth costs no stack. Duplicate names resolve as in
 * `JSON.parse`: the last one wins.
 *
 * @param batch whether the body is `{"events": [...]}` (else one event)
 * @returns per event index, its `data` text; undefined where it has none
 */
export function eventDataTexts(text: string, batch: boolean): (string | undefined)[] {
  let found: (string | undefined)[] = [];
  const stack: Frame[] = [];
  let captureStart = -1;
  let captureDepth = -1;
  let captureIndex = -1;
  let position = 0;

  /** The event index whose `data` a value starting now would be, if any. */
  const targetIndex = (): number => {
    if (!batch) return stack.length === 1 && stack[0]!.key === 'data' ? 0 : -1;
    if (stack.length === 1 && stack[0]!.key === 'events') found = [];
    return stack.length === 3 && stack[0]!.key === 'events' && stack[1]!.kind === 'array' && stack[2]!.key === 'data' ? stack[1]!.index : -1;
  };
  const valueStarts = (start: number): void => {
    if (captureStart >= 0) return;
    const index = targetIndex();
    if (index < 0) return;
    captureStart = start;
    captureDepth = stack.length;
    captureIndex = index;
  };
  const valueEnds = (end: number): void => {
    if (captureStart < 0 || stack.length !== captureDepth) return;
    found[captureIndex] = minify(text.slice(captureStart, end));
    captureStart = -1;
  };

  while (position < text.length) {
    const char = text.charCodeAt(position);
    if (char === SPACE || char === TAB || char === LF || char === CR || char === COLON) {
      position += 1;
    } else if (char === OPEN_OBJECT || char === OPEN_ARRAY) {
      if (!isKeyPosition(stack)) valueStarts(position);
      stack.push({ kind: char === OPEN_OBJECT ? 'object' : 'array', key: undefined, index: 0, expectKey: char === OPEN_OBJECT });
      position += 1;
    } else if (char === CLOSE_OBJECT || char === CLOSE_ARRAY) {
      stack.pop();
      position += 1;
      valueEnds(position);
    } else if (char === COMMA) {
      const frame = stack[stack.length - 1]!;
      if (frame.kind === 'array') frame.index += 1;
      else frame.expectKey = true;
      position += 1;
    } else if (char === QUOTE) {
      const end = stringEnd(text, position);
      const frame = stack[stack.length - 1];
      if (frame?.kind === 'object' && frame.expectKey) {
        frame.key = JSON.parse(text.slice(position, end)) as string;
        frame.expectKey = false;
      } else {
        valueStarts(position);
        valueEnds(end);
      }
      position = end;
    } else {
      // A number, true, false or null: runs to the next delimiter.
      const start = position;
      while (position < text.length && !DELIMITERS.has(text.charCodeAt(position))) position += 1;
      valueStarts(start);
      valueEnds(position);
    }
  }
  return found;
}

interface Frame {
  readonly kind: 'object' | 'array';
  /** In an object, the name whose value comes next. */
  key: string | undefined;
  /** In an array, the index of the current element. */
  index: number;
  expectKey: boolean;
}

const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const COLON = 0x3a;
const COMMA = 0x2c;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const DELIMITERS = new Set([SPACE, TAB, LF, CR, COMMA, CLOSE_OBJECT, CLOSE_ARRAY, COLON]);

function isKeyPosition(stack: readonly Frame[]): boolean {
  const frame = stack[stack.length - 1];
  return frame?.kind === 'object' && frame.expectKey;
}

/** The index just past the closing quote of the string starting at `start`. */
function stringEnd(text: string, start: number): number {
  let position = start + 1;
  for (;;) {
    const quote = text.indexOf('"', position);
    if (quote < 0) return text.length;
    let backslashes = 0;
    for (let i = quote - 1; text.charCodeAt(i) === BACKSLASH; i--) backslashes += 1;
    if (backslashes % 2 === 0) return quote + 1;
    position = quote + 1;
  }
}

/** Valid JSON without the whitespace outside strings. */
function minify(json: string): string {
  if (!/[ \t\n\r]/.test(json)) return json;
  let out = '';
  let position = 0;
  while (position < json.length) {
    const char = json.charCodeAt(position);
    if (char === QUOTE) {
      const end = stringEnd(json, position);
      out += json.slice(position, end);
      position = end;
    } else {
      let next = position;
      while (next < json.length && json.charCodeAt(next) !== QUOTE) next += 1;
      out += json.slice(position, next).replace(/[ \t\n\r]+/g, '');
      position = next;
    }
  }
  return out;
}
