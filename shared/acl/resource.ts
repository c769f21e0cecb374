/** Hierarchical resource ids: coverage, ancestor walks and validation (`:` and `/` separate levels). */

const COLON = 58;
const SLASH = 47;

/** Longest resource id accepted by {@link validateResourceId}. */
export const MAX_RESOURCE_ID_LENGTH = 256;

/**
 * Most levels a resource id may have: every check walks each ancestor, so a deep id costs every
 * check; DC/OS ids have fewer than ten.
 */
export const MAX_RESOURCE_DEPTH = 32;

/** True when the UTF-16 code unit is a level separator (`:` or `/`). */
export function isSeparatorCode(code: number): boolean {
  return code === COLON || code === SLASH;
}

/**
 * Whether a rule on `rule` covers the resource `query`: `query` is `rule` itself or a
 * descendant of it, i.e. starts with `rule` followed by `:` or `/`.
 * `a:services/prod` covers `a:services/prod/web` but not `a:services/prod-eu`.
 */
export function covers(rule: string, query: string): boolean {
  if (query.length === rule.length) return query === rule;
  if (query.length < rule.length || !query.startsWith(rule)) return false;
  return isSeparatorCode(query.charCodeAt(rule.length));
}

/**
 * Every resource that covers `resource`, from the shallowest ancestor to the resource
 * itself: each prefix ending right before a separator, then the whole id.
 */
export function ancestorsOf(resource: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < resource.length; i++) {
    if (isSeparatorCode(resource.charCodeAt(i))) out.push(resource.substring(0, i));
  }
  out.push(resource);
  return out;
}

function isAllowedCode(code: number): boolean {
  return (
    (code >= 97 && code <= 122) || // a-z
    (code >= 65 && code <= 90) || // A-Z
    (code >= 48 && code <= 57) || // 0-9
    code === 95 || // _
    code === 45 || // -
    code === 46 || // .
    code === 64 // @
  );
}

/** A character shown in a message: itself when printable ASCII, else its code point. */
function shown(char: string): string {
  const code = char.codePointAt(0) ?? 0;
  return code > 0x20 && code < 0x7f
    ? JSON.stringify(char)
    : `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Check a resource id, so that every id has one spelling (rule 15): 1 to 256 characters among
 * letters, digits, `_ - . @` and the separators `:` and `/`, with no empty level (no leading
 * or trailing separator, no two separators in a row) no level that is `.` or `..`, and at most 32 levels.
 * Percent signs, other Unicode (lookalikes of `:` and `/`) and control characters are refused.
 * @returns an error message, or null when the id is valid.
 */
export function validateResourceId(rid: string): string | null {
  if (rid.length === 0) return 'resource id must not be empty';
  if (rid.length > MAX_RESOURCE_ID_LENGTH) {
    return `resource id must be at most ${MAX_RESOURCE_ID_LENGTH} characters`;
  }
  let levelStart = 0;
  let levels = 0;
  for (let i = 0; i <= rid.length; i++) {
    const code = i < rid.length ? rid.charCodeAt(i) : SLASH;
    if (isSeparatorCode(code)) {
      if (++levels > MAX_RESOURCE_DEPTH) {
        return `resource id must have at most ${MAX_RESOURCE_DEPTH} levels (limit resourceDepth)`;
      }
      const level = rid.substring(levelStart, i);
      if (level === '') {
        if (i === 0) return 'resource id must not start with a separator';
        if (i === rid.length) return 'resource id must not end with a separator';
        return `resource id has an empty level at position ${i}`;
      }
      if (level === '.' || level === '..') {
        return `resource id has a level '${level}' at position ${levelStart}`;
      }
      levelStart = i + 1;
    } else if (!isAllowedCode(code)) {
      return `resource id has a forbidden character ${shown(String.fromCodePoint(rid.codePointAt(i) ?? code))} at position ${i}`;
    }
  }
  return null;
}
