/** A tiny hash router: `#/members`, `#/members/<userId>`; the address bar is the console's state. */
import { useEffect, useState } from 'preact/hooks';

/** The route named by the hash (`#/groups` -> `groups`), or '' for none. */
function parse(hash: string): string {
  return hash.replace(/^#\/?/, '').split(/[/?]/)[0] ?? '';
}

/** What follows the route in the hash (`#/members/u-1` -> `u-1`), decoded; '' for nothing. */
function rest(hash: string): string {
  const tail = hash.replace(/^#\/?[^/?]*\/?/, '').split('?')[0] ?? '';
  try {
    return decodeURIComponent(tail);
  } catch {
    return '';
  }
}

/** `read` of the current hash, following the address bar. */
function useHash(read: (hash: string) => string): string {
  const [value, setValue] = useState(() => read(location.hash));
  useEffect(() => {
    const onChange = () => setValue(read(location.hash));
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, [read]);
  return value;
}

export function useRoute(): string {
  return useHash(parse);
}

/** The item a screen shows in detail (`#/members/<userId>`). */
export function useRouteItem(): string {
  return useHash(rest);
}
