/** Strict input validation with zod: failures become an InvalidError naming each field. */
import type * as z from 'zod';
import { InvalidError } from '#shared/errors/domain-errors.js';

/** Parses `value` with `schema`; `where` prefixes field paths (`body`, `query`, `path`). */
export function parseInput<S extends z.ZodType>(
  schema: S,
  value: unknown,
  where: string,
): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const errors = result.error.issues.map((issue) => {
    const segments = [where, ...issue.path.map(String)];
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        path: [...segments, key].join('.'),
        message: 'Unknown field',
      }));
    }
    return [{ path: segments.join('.'), message: issue.message }];
  });
  const flat = errors.flat();
  const first = flat[0];
  throw new InvalidError(first ? `${first.path}: ${first.message}` : `Invalid ${where}`, flat);
}
