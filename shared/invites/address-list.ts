/**
 * Splitting a pasted list of addresses, the one implementation the API (a string `emails`) and
 * the console (the invite box) share. Pure and import-free: the console bundles it as is.
 */

/**
 * The addresses in `text`: separated by commas, semicolons, spaces or new lines, each bare
 * (`a@b.c`) or with a display name (`Ann Lee <a@b.c>`, `"Lee, Ann" <a@b.c>`: the name dropped,
 * never taken for addresses). Entries are returned as written (not validated, not normalized):
 * a malformed one stays, so the caller can report it.
 */
export function splitAddressList(text: string): string[] {
  const found: string[] = [];
  // A comma inside a quoted display name separates nothing.
  for (const part of text.match(/(?:"[^"]*"|[^,;\n"])+/g) ?? []) {
    const tokens = part.match(/"[^"]*"|<[^<>]*>|[^\s<>"]+/g) ?? [];
    const named = tokens.some((t) => t.startsWith('<'));
    for (const token of tokens) {
      if (token.startsWith('<')) found.push(token.slice(1, -1).trim());
      // A word beside a bracketed address is part of a display name; alone, it is an entry.
      else if (!token.startsWith('"') && (token.includes('@') || !named)) found.push(token);
    }
  }
  return found.filter(Boolean);
}
