/** A result as the query API shows it: a number, null for "no data", or named quantiles. */
export type AggregateValue = number | null | { readonly [quantile: string]: number | null };
