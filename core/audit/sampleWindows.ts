import type { AuditedWindow } from '../ports/AuditSource';

/**
 * At most `maxCount` windows, spread evenly across metrics and, within a
 * metric, across groups: metrics take turns (in the order given), and each
 * metric's turn goes to its groups in turn, newest window first within a
 * group. A busy metric or group therefore never crowds the others out of a
 * run. Deterministic: the same candidates give the same sample.
 *
 *   metric a: groups x (3 windows), y (1)   metric b: group z (2)   maxCount 4
 *   → a/x newest, b/z newest, a/y, b/z older
 */
export function sampleWindows(candidates: ReadonlyMap<string, readonly AuditedWindow[]>, maxCount: number): AuditedWindow[] {
  if (!Number.isInteger(maxCount) || maxCount < 0) throw new RangeError(`maxCount must be a non-negative integer, got ${maxCount}`);
  const perMetric = [...candidates.values()].map(groupTurns);
  const sample: AuditedWindow[] = [];
  while (sample.length < maxCount && perMetric.some((turns) => turns.length > 0)) {
    for (const turns of perMetric) {
      const next = turns.shift();
      if (next === undefined) continue;
      sample.push(next);
      if (sample.length === maxCount) break;
    }
  }
  return sample;
}

/** One metric's windows in the order its turns take them: round-robin over groups, newest first in each. */
function groupTurns(windows: readonly AuditedWindow[]): AuditedWindow[] {
  const byGroup = new Map<string, AuditedWindow[]>();
  for (const window of windows) {
    const list = byGroup.get(window.group);
    if (list) list.push(window);
    else byGroup.set(window.group, [window]);
  }
  const queues = [...byGroup.values()].map((list) => [...list].sort((a, b) => b.startMs - a.startMs));
  const turns: AuditedWindow[] = [];
  for (let round = 0; queues.some((queue) => queue.length > round); round++) {
    for (const queue of queues) if (round < queue.length) turns.push(queue[round]!);
  }
  return turns;
}
