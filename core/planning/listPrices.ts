/**
 * The list prices `tributary plan` costs a pipeline at: us-east-1, on-demand,
 * no free tier, no savings plan. One place, dated: when AWS changes a price,
 * change it here, with `asOf` and the source, and docs/operations/capacity.md
 * says which date its tables were computed with.
 */
export const LIST_PRICES: ListPrices = {
  /** When these were last checked against their sources. */
  asOf: '2026-12-03',
  region: 'us-east-1',
  apiGateway: {
    /** REST API, first 333 million requests a month. Source: aws.amazon.com/api-gateway/pricing (REFERENCES.md "Second wave"). */
    restPerMillionRequests: 3.5,
  },
  kinesis: {
    /** Provisioned mode. Source: aws.amazon.com/kinesis/data-streams/pricing (REFERENCES.md "Cost anchors", last confirmed 2023). */
    perShardHour: 0.015,
    perMillionPutPayloadUnits: 0.014,
    /** A PUT payload unit is a 25 KB chunk of one record: a record of 1 byte to 25 KB is one unit. */
    putPayloadUnitBytes: 25 * 1_024,
  },
  lambda: {
    /** arm64. Source: aws.amazon.com/lambda/pricing (REFERENCES.md "Second wave"). */
    perMillionRequests: 0.2,
    perGbSecond: 0.0000133334,
  },
  dynamodb: {
    /** On-demand, standard table class, since the 2024-11 price cut. Source: aws.amazon.com/dynamodb/pricing/on-demand (REFERENCES.md "Second wave"). */
    perMillionWriteRequestUnits: 0.625,
    /** On-demand reads, halved with the writes in 2024-11. Source: aws.amazon.com/dynamodb/pricing/on-demand. */
    perMillionReadRequestUnits: 0.125,
  },
  flink: {
    /** Amazon Managed Service for Apache Flink: per KPU-hour, and every application runs one orchestration KPU besides its own. Source: aws.amazon.com/managed-service-apache-flink/pricing (REFERENCES.md). */
    perKpuHour: 0.11,
    /** The floor: one KPU for the application and one for orchestration. */
    minimumKpus: 2,
  },
  /** AWS bills a month as 730 hours. */
  hoursPerMonth: 730,
};

/** Prices in US dollars, as `planCapacity` takes them: LIST_PRICES, or a test's. */
export interface ListPrices {
  readonly asOf: string;
  readonly region: string;
  readonly apiGateway: { readonly restPerMillionRequests: number };
  readonly kinesis: { readonly perShardHour: number; readonly perMillionPutPayloadUnits: number; readonly putPayloadUnitBytes: number };
  readonly lambda: { readonly perMillionRequests: number; readonly perGbSecond: number };
  readonly dynamodb: { readonly perMillionWriteRequestUnits: number; readonly perMillionReadRequestUnits: number };
  readonly flink: { readonly perKpuHour: number; readonly minimumKpus: number };
  readonly hoursPerMonth: number;
}
