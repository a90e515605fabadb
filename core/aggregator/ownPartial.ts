import type { StoredWindow, WindowPartial } from '../ports/WindowStore';

const NO_PARTIAL_YET = { eventCount: 0, state: {}, version: 0 } as const;

/**
 * A shard's partial of a stored fixed window, or an empty one at version 0.
 * A shard without one takes the item's own marks: a window written before
 * partials existed (one merged state) holds every shard's marks there.
 */
export function ownPartial(stored: StoredWindow | undefined, shardId: string): WindowPartial {
  return stored?.partials[shardId] ?? { ...NO_PARTIAL_YET, marks: stored?.marks ?? { applied: {}, frozen: {}, redriven: {} } };
}
