/**
 * The stack output holding a producer's API key id: `ProducerApiKeyId` and
 * the producer's name in PascalCase (`checkout-eu` → `ProducerApiKeyIdCheckoutEu`).
 * CloudFormation output names take letters and digits only, so two producer
 * names that differ only in case, `-` or `_` would give the same output;
 * validateSecurity refuses them.
 */
export function producerOutputId(producerName: string): string {
  const pascal = producerName
    .split(/[-_]+/)
    .filter((part) => part.length > 0)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
  return `ProducerApiKeyId${pascal}`;
}
