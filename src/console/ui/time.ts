/** Every time is shown with its timezone: the marketer's own unless another is named. */

export const browserTimeZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone;

export function formatTime(
  value: string | number | Date | undefined | null,
  timeZone?: string,
  options: { seconds?: boolean } = {},
): string {
  if (value === undefined || value === null || value === '') return '—';
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return '—';
  // Fields, not dateStyle/timeStyle: Intl refuses timeZoneName beside those.
  return zoned(date, timeZone, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    ...(options.seconds ? { second: '2-digit' } : {}),
  });
}

/** Only the clock time (with its zone), for a chart's axis. */
export function formatClock(value: number, timeZone?: string): string {
  return zoned(new Date(value), timeZone, {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}

function zoned(date: Date, timeZone: string | undefined, fields: Intl.DateTimeFormatOptions) {
  try {
    return new Intl.DateTimeFormat(undefined, {
      ...fields,
      timeZone,
      timeZoneName: 'short',
    }).format(date);
  } catch {
    // A zone this browser does not know: the instant itself, unambiguous.
    return date.toISOString();
  }
}

/** `2 min 5 s`, for an ETA or a duration. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

export const formatNumber = (value: number | undefined): string =>
  value === undefined ? '—' : new Intl.NumberFormat().format(value);
