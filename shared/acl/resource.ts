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

/**
 * Check a resource id: 1 to 256 characters among letters, digits, `_ - . @` and the
 * separators `:` and `/`, with no empty level (no leading or trailing separator and
 * no two separators in a row), and at most 32 levels.
 * @returns an error message, or null when the id is valid.
 */
export function validateResourceId(rid: string): string | null {
  if (rid.length === 0) return 'resource id must not be empty';
  if (rid.length > MAX_RESOURCE_ID_LENGTH) {
    return `resource id must be at most ${MAX_RESOURCE_ID_LENGTH} characters`;
  }
  let previousWasSeparator = true;
  let levels = 1;
  for (let i = 0; i < rid.length; i++) {
    const code = rid.charCodeAt(i);
    if (isSeparatorCode(code)) {
      if (++levels > MAX_RESOURCE_DEPTH) {
        return `resource id must have at most ${MAX_RESOURCE_DEPTH} levels (limit resourceDepth)`;
      }
      if (previousWasSeparator) {
        return i === 0
          ? 'resource id must not start with a separator'
          : `resource id has an empty level at position ${i}`;
      }
      previousWasSeparator = true;
    } else if (isAllowedCode(code)) {
      previousWasSeparator = false;
    } else {
      return `resource id has a forbidden character ${JSON.stringify(rid.charAt(i))} at position ${i}`;
    }
  }
  if (previousWasSeparator) return 'resource id must not end with a separator';
  return null;
}
