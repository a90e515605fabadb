import { QUIET_SDK_LOGGER, type Logger } from './QUIET_SDK_LOGGER';
import { PolicyRetryStrategy } from './PolicyRetryStrategy';

/** What every function's SDK client is built with: the retry policy and the quiet logger. */
export function sdkClientConfig(service: string): ReturnType<typeof PolicyRetryStrategy.clientConfig> & { readonly logger: Logger } {
  return { ...PolicyRetryStrategy.clientConfig(service), logger: QUIET_SDK_LOGGER };
}
