import { RequestError } from '../../core/errors';

/** The status and message a promise is rejected with as a RequestError; fails the test otherwise. */
export async function rejection(promise: Promise<unknown>): Promise<{ status: number; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof RequestError) return { status: error.statusCode, message: error.message };
    throw error;
  }
  throw new Error('expected a RequestError');
}
