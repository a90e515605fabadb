/**
 * Decodes a URI component once as a server does: valid `%XX` escapes become
 * their bytes, an invalid one (`%ZZ`, a lone `%`) stays as written, and bytes
 * that are not UTF-8 become U+FFFD (WHATWG URL parsing). `decodeURIComponent`
 * throws on those instead. The SigV4 signer and the local verifier both
 * canonicalize with it, so even a malformed query is signed and checked alike.
 */
export function decodeLeniently(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    const bytes: number[] = [];
    for (let index = 0; index < text.length; ) {
      if (text[index] === '%' && /^[0-9a-fA-F]{2}$/.test(text.slice(index + 1, index + 3))) {
        bytes.push(Number.parseInt(text.slice(index + 1, index + 3), 16));
        index += 3;
      } else {
        const character = String.fromCodePoint(text.codePointAt(index)!);
        bytes.push(...Buffer.from(character, 'utf8'));
        index += character.length;
      }
    }
    return Buffer.from(bytes).toString('utf8');
  }
}
