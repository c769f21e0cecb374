/** Conditional writes whose failed condition is an expected outcome, not an error. */
import { isRaceLost } from '#shared/errors/domain-errors.js';

/**
 * Awaits a conditional write whose condition names no error: true when it was written, false
 * when its condition failed (the item changed or is gone). Other errors propagate.
 */
export async function written(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (error) {
    if (isRaceLost(error)) return false;
    throw error;
  }
}
