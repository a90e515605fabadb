
/** Thrown by the fault injector: a storage call failed (or its response was lost). */
export class InjectedFault extends Error {}

const MUTATIONS = new Set(['writeShardProgress', 'advanceWatermarks', 'writeWindows', 'writePartial', 'addLateCount', 'finalizeWindows', 'write']);

/**
 * Wraps a store so that each mutating call fails with probability `rate`
 * (changeable with `setRate`): half the time before it happens (a throttle), half the
 * time after (the write landed, the response was lost — a crash right after
 * writing). Deterministic for a given random source.
 */
export function withFaults<T extends object>(store: T, random: () => number, rate: number): { store: T; faults: { before: number; after: number }; setRate(rate: number): void } {
  const faults = { before: 0, after: 0 };
  let currentRate = rate;
  const proxy = new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function' || !MUTATIONS.has(String(property))) return value;
      return async (...args: unknown[]) => {
        if (random() < currentRate) {
          if (random() < 0.5) {
            faults.before += 1;
            throw new InjectedFault(`injected failure before ${String(property)}`);
          }
          await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          faults.after += 1;
          throw new InjectedFault(`injected failure after ${String(property)}`);
        }
        return (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
      };
    },
  });
  return { store: proxy, faults, setRate: (r) => (currentRate = r) };
}

export { seededRandom } from '../../local/chaos/seededRandom';
