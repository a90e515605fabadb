import { randomBytes } from 'node:crypto';

/** Crockford base32, the ULID alphabet: sorts the same as the time it encodes. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

let lastTimeMs = -1;
let lastRandom: number[] = [];

/**
 * A ULID: 48-bit millisecond time + 80 random bits, 26 characters.
 * Monotonic within one process: ids made in the same millisecond increment the
 * random part, so ids from one ingest instance sort in acceptance order.
 */
export function newEventId(nowMs: number = Date.now()): string {
  if (nowMs <= lastTimeMs) {
    incrementRandom();
  } else {
    lastTimeMs = nowMs;
    lastRandom = Array.from(randomBytes(16), (byte) => byte & 31);
  }
  let time = '';
  let remaining = lastTimeMs;
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[remaining % 32] + time;
    remaining = Math.floor(remaining / 32);
  }
  return time + lastRandom.map((digit) => ALPHABET[digit]).join('');
}

function incrementRandom(): void {
  for (let i = lastRandom.length - 1; i >= 0; i--) {
    const digit = lastRandom[i] ?? 0;
    if (digit < 31) {
      lastRandom[i] = digit + 1;
      return;
    }
    lastRandom[i] = 0;
  }
}
