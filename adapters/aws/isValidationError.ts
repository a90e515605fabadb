import { WindowItemTooLargeError } from '../../core/errors';

/**
 * DynamoDB refused the request itself as invalid (a key over its limit, a
 * number out of range), or a window item would pass the 400 KB limit even
 * compacted (`WindowItemTooLargeError`): the same request fails the same way
 * on every retry, so callers treat it as permanent.
 */
export function isValidationError(error: unknown): boolean {
  return error instanceof WindowItemTooLargeError || (error instanceof Error && error.name === 'ValidationException');
}
