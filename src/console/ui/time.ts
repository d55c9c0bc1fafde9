/** Every time is shown with its timezone: the marketer's own unless another is named. */

export const browserTimeZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone;

export function formatTime(value: string | Date | undefined | null, timeZone?: string): string {
  if (!value) return '—';
  const date = typeof value === 'string' ? new Date(value) : value;
  if (Number.isNaN(date.getTime())) return '—';
  // Fields, not dateStyle/timeStyle: Intl refuses timeZoneName beside those.
  return new Intl.DateTimeFormat(undefined, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZone,
    timeZoneName: 'short',
  }).format(date);
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
