/**
 * The addresses an admin pasted: separated by commas, semicolons, spaces or new lines, each
 * bare (`a@b.c`) or with a display name (`Ann Lee <a@b.c>`, the name dropped). The API's own
 * string form splits on spaces too, which would cut a display name into "addresses", so the
 * console sends the parsed list.
 */
export function parseAddresses(text: string): string[] {
  const found: string[] = [];
  for (const part of text.split(/[,;\n]+/)) {
    const tokens = part.match(/"[^"]*"|<[^<>]*>|[^\s<>"]+/g) ?? [];
    const named = tokens.some((t) => t.startsWith('<'));
    for (const token of tokens) {
      if (token.startsWith('<')) found.push(token.slice(1, -1).trim());
      // A word beside a bracketed address is part of a display name; alone, the API judges it.
      else if (!token.startsWith('"') && (token.includes('@') || !named)) found.push(token);
    }
  }
  return found.filter(Boolean);
}
