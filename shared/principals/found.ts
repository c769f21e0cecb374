/** Get-or-404: what every "read one item or answer 404" of the principals' services shares. */
import { NotFoundError } from '#shared/errors/domain-errors.js';

/** `value`, or a 404 with `message` when it is absent. */
export function found<T>(value: T | undefined, message: string): T {
  if (value === undefined) throw new NotFoundError(message);
  return value;
}
