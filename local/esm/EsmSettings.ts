/** The event source mapping settings the batch contract depends on (AWS names, AWS semantics). */
export interface EsmSettings {
  readonly functionArn: string;
  readonly streamArn: string;
  readonly bisectBatchOnFunctionError: boolean;
  /** -1: retry until the record expires. */
  readonly maximumRetryAttempts: number;
  /** -1: no age limit. */
  readonly maximumRecordAgeSeconds: number;
  readonly reportBatchItemFailures: boolean;
  /**
   * First delay between retries of a failed batch; doubles each retry. Not an AWS
   * setting (Lambda's own backoff is internal); kept small offline.
   * @default 100
   */
  readonly retryBaseDelayMs?: number;
  /** @default 2000 */
  readonly retryMaxDelayMs?: number;
}
