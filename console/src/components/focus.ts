/** Moves keyboard focus to a panel's heading when the panel opens, so keyboard users land in it. */
import { useEffect, useRef } from 'preact/hooks';

/** A ref for a heading (give it `tabIndex={-1}`) focused once, when it first renders (if `when`). */
export function useFocusOnOpen<T extends HTMLElement>(when = true) {
  const ref = useRef<T>(null);
  useEffect(() => {
    if (when) ref.current?.focus();
  }, []);
  return ref;
}
