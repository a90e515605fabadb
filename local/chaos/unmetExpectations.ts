import type { ChaosSummary } from './runChaos';

/**
 * What a chaos run must show, as sentences naming what it showed instead
 * (empty when all hold). With the retry policy absorbing faults inside each
 * invocation:
 * - every window equals the recomputation and no event is lost;
 * - the aggregator's DLQ holds only what the deliberate storm put there
 *   (at least one message), and the redrive applies every message;
 * - the archive consumer's DLQ stays empty;
 * - the change publisher's DLQ holds at most one message per host kill: a kill
 *   between a change's INPROGRESS record and its completion locks that record
 *   until the dead invocation's deadline, longer than the mapping retries.
 * The consumers draining in time is checked by the run itself (it throws).
 */
export function unmetExpectations(summary: ChaosSummary): string[] {
  const unmet: string[] = [];
  const kills = summary.faults.crashBeforeWrite + summary.faults.crashAfterWrite + summary.faults.hostKill9;
  if (summary.mismatches.length > 0) unmet.push(`${summary.mismatches.length} window(s) differ from the recomputation`);
  if (summary.eventsLost > 0) unmet.push(`${summary.eventsLost} event(s) lost`);
  if (summary.dlqMessages === 0) unmet.push('the storm sent nothing to the aggregator DLQ: the redrive went untested');
  if (summary.dlqMessagesRedriven !== summary.dlqMessages) unmet.push(`the redrive applied ${summary.dlqMessagesRedriven} of ${summary.dlqMessages} aggregator DLQ message(s)`);
  if (summary.dlqMessagesOutsideStorm > 0) unmet.push(`${summary.dlqMessagesOutsideStorm} aggregator DLQ message(s) outside the storm: faults got past the retry policy`);
  if (summary.archiveDlqMessages > 0) unmet.push(`${summary.archiveDlqMessages} archive DLQ message(s)`);
  if (summary.changesDlqMessages > kills) unmet.push(`${summary.changesDlqMessages} change publisher DLQ message(s) for ${kills} host kill(s)`);
  return unmet;
}
