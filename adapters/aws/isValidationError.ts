/**
 * DynamoDB refused the request itself as invalid (an item over 400 KB, a key
 * over its limit, a number out of range): the same request fails the same way
 * on every retry, so callers treat it as permanent.
 */
export function isValidationError(error: unknown): boolean {
  return error instanceof Error && error.name === 'ValidationException';
}
