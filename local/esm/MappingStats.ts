/** Running counters of one event source mapping, shown in the status line and read by tests. */
export interface MappingStats {
  batches: number;
  invocations: number;
  functionErrors: number;
  partialFailures: number;
  bisections: number;
  processedRecords: number;
  discardedRecords: number;
  /** How far behind the shard tip the slowest shard was at its last read (GetRecords MillisBehindLatest). */
  millisBehindLatest: number;
}

export function emptyMappingStats(): MappingStats {
  return { batches: 0, invocations: 0, functionErrors: 0, partialFailures: 0, bisections: 0, processedRecords: 0, discardedRecords: 0, millisBehindLatest: 0 };
}
