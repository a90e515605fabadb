import type { TranslateConfig } from '@aws-sdk/lib-dynamodb';

/**
 * How every Tributary document client converts between JavaScript and
 * DynamoDB values, in one place.
 *
 * Aggregates are doubles (a sum of `amount: 1e16` values, an integer beyond
 * 2^53 in `data`): `allowImpreciseNumbers` writes them as the double they are
 * instead of throwing, and `wrapNumbers` reads every stored number back as a
 * double instead of a BigInt (which no arithmetic here accepts) or a throw.
 * Raw event payloads never go through this conversion: they are stored as
 * their JSON text, so nothing is lost there.
 */
export const DOCUMENT_TRANSLATION: TranslateConfig = {
  marshallOptions: { removeUndefinedValues: true, allowImpreciseNumbers: true },
  unmarshallOptions: { wrapNumbers: (text: string) => Number(text) },
};

/**
 * A fresh copy of DOCUMENT_TRANSLATION for a document client to own:
 * lib-dynamodb writes `unmarshallOptions.convertWithoutMapWrapper = true`
 * into the options it is given on its first request, which turned every later
 * `unmarshall(image, DOCUMENT_TRANSLATION.unmarshallOptions)` of a stream
 * image in the same container into "Unsupported type passed" (found by the
 * alert function's e2e test).
 */
export function documentTranslationCopy(): TranslateConfig {
  return { marshallOptions: { ...DOCUMENT_TRANSLATION.marshallOptions }, unmarshallOptions: { ...DOCUMENT_TRANSLATION.unmarshallOptions } };
}
