/** Strict input validation with zod (mini): failures become an InvalidError naming each field. */
import * as z from 'zod/mini';
import '#shared/common/zod-english.js';
import { type FieldError, InvalidError } from '#shared/errors/domain-errors.js';

/**
 * Characters no text Gatehouse stores or shows may hold (issue 20): C0 controls, DEL, C1
 * controls (`\x9b` is a CSI on many terminals), the bidi embeddings, overrides and isolates
 * (U+202A-202E, U+2066-2069) and the invisible direction marks (U+200E, U+200F, U+061C).
 * They rewrite a terminal (`\x1b]52;` sets the clipboard, `\x1b[2J` clears the screen) or
 * make a name read as something else.
 */
const UNSAFE_TEXT =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;
/** The same, but tab, CR and LF pass: separators some fields accept (`emails` as one string). */
const UNSAFE_ANY =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

/** The first unsafe character of `text` as `U+XXXX`, or null. */
function unsafeCharacter(text: string, pattern: RegExp): string | null {
  const m = pattern.exec(text);
  if (!m) return null;
  return `U+${(m[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

const unsafeMessage = (char: string) =>
  `must not contain control or bidi characters (found ${char} at this field)`;

/**
 * A free-text string (a name, description, message): no control character of any kind,
 * tab, CR and LF included, and no bidi override, isolate or direction mark. Every display
 * string of every body schema is built from this, so the rule lives in one place.
 */
export function safeText() {
  return z.string().check(z.superRefine(refuseUnsafeText));
}

/** The check behind {@link safeText}, for schemas that chain it after their own. */
export function refuseUnsafeText(text: string, ctx: z.core.$RefinementCtx<string>): void {
  const char = unsafeCharacter(text, UNSAFE_TEXT);
  if (char) ctx.addIssue({ code: 'custom', message: unsafeMessage(char) });
}

/**
 * Every string of a body or query, wherever it sits (keys of unknown fields and values inside
 * arrays included): control characters other than tab, CR and LF, and bidi controls, are a
 * field error at that string's path. Runs before the route's schema, on the raw JSON. The path
 * is kept as segments and joined only for an error: a clean body of 100 checks walks 300
 * strings, and building each one's path cost as much as the schema itself.
 */
function unsafeStrings(value: unknown, path: string[], out: FieldError[]): void {
  if (typeof value === 'string') {
    const char = unsafeCharacter(value, UNSAFE_ANY);
    if (char) out.push({ path: path.join('.'), message: unsafeMessage(char) });
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      path.push(String(i));
      unsafeStrings(value[i], path, out);
      path.pop();
    }
  } else if (value && typeof value === 'object') {
    for (const k in value) {
      if (!Object.hasOwn(value, k)) continue;
      path.push(k);
      const char = unsafeCharacter(k, UNSAFE_ANY);
      if (char) out.push({ path: path.join('.'), message: `field name ${unsafeMessage(char)}` });
      else unsafeStrings((value as Record<string, unknown>)[k], path, out);
      path.pop();
    }
  }
}

/**
 * Schemas that {@link parseInput} runs through zod's generated parser (`z.compile`), each
 * compiled on its first parse (undefined until then): see {@link compiledOnFirstParse}.
 */
const compiledSchemas = new WeakMap<z.core.$ZodType, z.core.$ZodType | undefined>();

/** zod's compiler, once a function that parses a marked schema installs it. */
let compiler: typeof z.compile | undefined;

/**
 * Marks `schema` to be parsed by zod's compiled fast path: one generated function for the
 * whole shape (arrays of objects included) instead of zod's interpreted walk, which builds a
 * payload and an issue list per field (100 checks: about 5x faster). It is compiled on its
 * first parse, not at import, so a cold start of a function that never parses it pays nothing.
 * Input the fast path refuses is parsed again by the schema itself, so every 400 names the
 * same fields with the same messages; a schema zod cannot compile keeps its runtime parser.
 * Returns `schema` itself (OpenAPI and types see the declared schema).
 */
export function compiledOnFirstParse<S extends z.core.$ZodType>(schema: S): S {
  compiledSchemas.set(schema, undefined);
  return schema;
}

/**
 * Installs zod's compiler (`z.compile`) for the marked schemas, from the entry of a function
 * that parses one. Passed in rather than imported here because the compiler is about 34 KB of
 * a bundle: every API function imports this module, and only those that install it carry it.
 * Until it is installed, a marked schema parses as any other.
 */
export function useSchemaCompiler(compile: typeof z.compile): void {
  compiler = compile;
}

/** The schema {@link parseInput} runs: the compiled twin of a marked schema, else itself. */
function runnerOf<S extends z.core.$ZodType>(schema: S): S {
  if (compiler === undefined || !compiledSchemas.has(schema)) return schema;
  let compiled = compiledSchemas.get(schema) as S | undefined;
  if (compiled === undefined) {
    compiled = compiler(schema);
    compiledSchemas.set(schema, compiled);
  }
  return compiled;
}

/** Parses `value` with `schema`; `where` prefixes field paths (`body`, `query`, `path`). */
export function parseInput<S extends z.core.$ZodType>(
  schema: S,
  value: unknown,
  where: string,
): z.infer<S> {
  const unsafe: FieldError[] = [];
  unsafeStrings(value, [where], unsafe);
  const result = z.safeParse(runnerOf(schema), value);
  if (result.success && unsafe.length === 0) return result.data;
  const errors = result.success
    ? []
    : result.error.issues.map((issue) => {
        const segments = [where, ...issue.path.map(String)];
        if (issue.code === 'unrecognized_keys') {
          return issue.keys.map((key) => ({
            path: [...segments, key].join('.'),
            message: 'Unknown field',
          }));
        }
        return [{ path: segments.join('.'), message: issue.message }];
      });
  const flat = [...unsafe, ...errors.flat().filter((e) => !unsafe.some((u) => u.path === e.path))];
  const first = flat[0];
  throw new InvalidError(first ? `${first.path}: ${first.message}` : `Invalid ${where}`, flat);
}
