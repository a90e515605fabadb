/** Unpaired UTF-16 surrogates: JSON can carry them (`"\ud800"`), UTF-8 and DynamoDB cannot. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Whether `text` is well-formed Unicode (String.prototype.isWellFormed, which ES2022 typings lack). */
export function isWellFormed(text: string): boolean {
  // Almost all text holds no surrogate at all, and this scan costs a fraction of
  // the lookaround pattern (every group key of every event passes through here).
  for (let i = 0; i < text.length; i++) if ((text.charCodeAt(i) & 0xf800) === 0xd800) return !LONE_SURROGATE.test(text);
  return true;
}

/** `text` with every lone surrogate replaced by U+FFFD, as a UTF-8 round trip would. */
export function toWellFormed(text: string): string {
  return isWellFormed(text) ? text : Buffer.from(text, 'utf8').toString('utf8');
}
