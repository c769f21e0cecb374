/** A moment from the API (ISO 8601, UTC) shown in the viewer's own locale and time zone. */

const format = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function LocalTime({ iso }: { iso?: string | null }) {
  if (!iso) return <span>never</span>;
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return <span>{iso}</span>;
  return (
    <time dateTime={iso} title={iso}>
      {format.format(at)}
    </time>
  );
}
