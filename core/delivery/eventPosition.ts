/**
 * One event's place on its shard as text: the sequence number of its record,
 * and `.<index>` when it is a user record past the first of a KPL aggregated
 * record. Sub-record 0 and a plain record read as the bare sequence number,
 * so entries written before aggregation keep meaning what they meant. Use it
 * wherever a sequence number stood for ONE event (the duplicate ledger, the
 * late collector); the windows' marks stay per record, which a batch never splits.
 */
export function eventPosition(source: { readonly sequenceNumber: string; readonly subSequence?: number }): string {
  return source.subSequence ? `${source.sequenceNumber}.${source.subSequence}` : source.sequenceNumber;
}
