/** The outcome of one local invocation: the handler's return value, or its error (Lambda's "function error"). */
export type InvokeResult =
  | { readonly ok: true; readonly payload: unknown; readonly durationMs: number }
  | { readonly ok: false; readonly errorType: string; readonly errorMessage: string; readonly durationMs: number };

/** Anything that can be invoked like a Lambda function. */
export type Invoke = (event: unknown) => Promise<InvokeResult>;
