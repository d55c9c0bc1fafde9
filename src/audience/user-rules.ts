/**
 * The rules a stored user obeys whichever path writes it (SPEC §10: the API, the
 * CSV import, the webhook). Pure, so every path calls the same functions.
 */

/** Digits, no leading zero: Facebook never issues one, and `0123` would be a second user beside `123`. */
export const PSID_PATTERN = /^[1-9]\d{0,31}$/;

/** Why `psid` is not a PSID, or undefined when it is one. */
export function psidProblem(psid: string): string | undefined {
  if (psid === '') return 'psid is missing';
  if (!/^\d+$/.test(psid)) return 'psid must be digits';
  if (!PSID_PATTERN.test(psid)) return 'psid must be digits without a leading zero';
  return undefined;
}

/** Clocks disagree a little: an inbound time up to this far ahead of ours is taken as now-ish. */
export const CLOCK_SKEW_MS = 5 * 60_000;

/** Why `at` cannot be a last-inbound time at `now`, or undefined. A future one would hold the window open. */
export function lastInboundAtProblem(at: Date, now: Date): string | undefined {
  return at.getTime() > now.getTime() + CLOCK_SKEW_MS
    ? 'must not be in the future (5 minutes of clock skew are tolerated)'
    : undefined;
}

/** Whether `zone` is an IANA time zone name (Europe/Paris, UTC); offsets such as +01:00 are not. */
export function isIanaTimeZone(zone: string): boolean {
  if (!/^[A-Za-z]/.test(zone)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export const TIME_ZONE_PROBLEM = 'must be an IANA time zone such as Europe/Paris';
