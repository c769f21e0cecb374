/** A tiny hash router: `#/members`, `#/invites`; the address bar is the console's state. */
import { useEffect, useState } from 'preact/hooks';

/** The route named by the hash (`#/groups` -> `groups`), or '' for none. */
function parse(hash: string): string {
  return hash.replace(/^#\/?/, '').split(/[/?]/)[0] ?? '';
}

export function useRoute(): string {
  const [route, setRoute] = useState(() => parse(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parse(location.hash));
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
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

/** The item a screen shows in detail (`#/members/<userId>`), following the address bar. */
export function useRouteItem(): string {
  const [item, setItem] = useState(() => rest(location.hash));
  useEffect(() => {
    const onChange = () => setItem(rest(location.hash));
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return item;
}
