/**
 * Times on the run dashboard, always with their zone. The shared `formatTime`
 * combines dateStyle with timeZoneName, which Intl refuses (a TypeError), so the
 * dashboard names the parts itself.
 */

export function formatAt(
  value: string | number | Date | undefined | null,
  timeZone?: string,
  options: { seconds?: boolean } = {},
): string {
  if (value === undefined || value === null || value === '') return '—';
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return '—';
  try {
    return new Intl.DateTimeFormat(undefined, {
      year: 'numeric',
      month: 'short',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      ...(options.seconds ? { second: '2-digit' } : {}),
      timeZone,
      timeZoneName: 'short',
    }).format(date);
  } catch {
    return date.toISOString();
  }
}

/** Only the clock time (with its zone), for the chart's axis. */
export function formatClock(value: number, timeZone?: string): string {
  try {
    return new Intl.DateTimeFormat(undefined, {
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      timeZone,
      timeZoneName: 'short',
    }).format(new Date(value));
  } catch {
    return new Date(value).toISOString();
  }
}
