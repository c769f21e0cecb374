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
