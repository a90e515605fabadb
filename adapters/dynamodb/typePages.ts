import { createHash } from 'node:crypto';
import type { EventEnvelope } from '../../core/envelope/EventEnvelope';
import { EVENT_KEYS, eventSortKey, keyOfPartition, pageSliceStart, timeOfSortKey, typeBucketStart, typePartition, typeSuffix } from './eventKeys';

// The by-type half of the raw events archive (decision 0017): one item per Kinesis
// record, type and second of event time instead of one index row per event. Built
// from the record an event came in, so a retried or redelivered batch writes the
// same pages again: the write is idempotent, as the rows' is.

/** One event as the archive stores it: the envelope, its JSON text, and the Kinesis record it came in (absent: a page of its own). */
export interface ArchivedEvent {
  readonly event: EventEnvelope;
  readonly json: string;
  readonly recordId?: string;
}

/** A page's TTL (epoch seconds) from the events it holds. */
export type TypePageExpiry = (events: readonly EventEnvelope[]) => number;

/** A type page to write, and which of the events given it holds. */
export interface TypePage {
  readonly item: Record<string, unknown>;
  readonly indices: readonly number[];
}

/** One event read back from a row or a page: its sort key (time and id), key and stored JSON text. */
export interface StoredEvent {
  readonly sortKey: string;
  readonly timeMs: number;
  readonly key: string;
  readonly json: string;
}

/**
 * The type pages of `events`: grouped by record, type and page slice, in time
 * order inside a page, split where a page would pass `EVENT_KEYS.pageMaxBytes`.
 * @param expiresAtS the TTL of a page holding the given events (the latest of theirs)
 */
export function typePagesOf(events: readonly ArchivedEvent[], expiresAtS: TypePageExpiry): TypePage[] {
  const groups = new Map<string, { type: string; recordId: string; members: number[] }>();
  for (const [index, archived] of events.entries()) {
    const recordId = archived.recordId ?? standaloneId(archived.event);
    const group = `${recordId}\u0000${archived.event.type}\u0000${pageSliceStart(archived.event.time)}`;
    const existing = groups.get(group);
    if (existing) existing.members.push(index);
    else groups.set(group, { type: archived.event.type, recordId, members: [index] });
  }
  const pages: TypePage[] = [];
  for (const { type, recordId, members } of groups.values()) {
    members.sort((a, b) => compareEvents(events[a]!.event, events[b]!.event));
    let part: number[] = [];
    let bytes = 0;
    let partNumber = 0;
    const flush = () => {
      if (part.length === 0) return;
      pages.push(pageOf(type, `${recordId}.${partNumber++}`, part, events, expiresAtS));
      part = [];
      bytes = 0;
    };
    for (const index of members) {
      const size = Buffer.byteLength(events[index]!.json);
      if (part.length > 0 && bytes + size > EVENT_KEYS.pageMaxBytes) flush();
      part.push(index);
      bytes += size;
    }
    flush();
  }
  return pages;
}

/** The events of a stored item: a page's, or the one of a row (the by-type index's rows, written before pages). */
export function storedEventsOf(item: Record<string, unknown>): StoredEvent[] {
  if (Array.isArray(item.events)) {
    return (item.events as string[]).map((json) => {
      const event = JSON.parse(json) as EventEnvelope;
      return { sortKey: eventSortKey(event.time, event.id), timeMs: event.time, key: event.key, json };
    });
  }
  const sortKey = item[EVENT_KEYS.sortKey] as string;
  const json = typeof item.event === 'string' ? item.event : JSON.stringify(item.event);
  return [{ sortKey, timeMs: timeOfSortKey(sortKey), key: keyOfPartition(item[EVENT_KEYS.partitionKey] as string), json }];
}

/** The earliest event time a stored item can hold: the time in its sort key. */
export function firstTimeOf(item: Record<string, unknown>): number {
  return timeOfSortKey(item[EVENT_KEYS.sortKey] as string);
}

function pageOf(type: string, pageId: string, indices: number[], events: readonly ArchivedEvent[], expiresAtS: TypePageExpiry): TypePage {
  const first = events[indices[0]!]!.event;
  return {
    item: {
      [EVENT_KEYS.partitionKey]: typePartition(type, typeBucketStart(first.time), typeSuffix(pageId)),
      [EVENT_KEYS.sortKey]: eventSortKey(first.time, pageId),
      events: indices.map((index) => events[index]!.json),
      [EVENT_KEYS.ttlAttribute]: expiresAtS(indices.map((index) => events[index]!.event)),
    },
    indices,
  };
}

/** Time, then id, then key: the order of a read. */
function compareEvents(a: Pick<EventEnvelope, 'time' | 'id' | 'key'>, b: Pick<EventEnvelope, 'time' | 'id' | 'key'>): number {
  if (a.time !== b.time) return a.time - b.time;
  if (a.id !== b.id) return a.id < b.id ? -1 : 1;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/** The page id of an event that came in no record (a direct write): from its row's identity, key and id. */
function standaloneId(event: EventEnvelope): string {
  return `e:${createHash('sha256').update(`${event.key}\u0000${event.id}`).digest('base64url').slice(0, 22)}`;
}
