/** The stored form of one aggregation's state: a number, a pair, or sketch bytes. */
export type EncodedState = number | Uint8Array | { readonly n: number; readonly d: number };
