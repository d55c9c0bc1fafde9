/**
 * A campaign's schedule: now, at a time, or recurring by cron in an IANA
 * timezone. The next occurrence is computed in that timezone by cron-parser, so
 * DST changes neither skip nor double an occurrence.
 */
import { isJsonObject } from '../common/json';
import { CronExpressionParser } from 'cron-parser';
import type { ErrorDetail } from '../common/api-error';
import { parseIsoDate } from '../audience/attributes';
import { unknownKeyProblems } from './known-keys';

export type Schedule =
  | { type: 'now' }
  | { type: 'at'; at: string }
  | { type: 'cron'; cron: string; timezone: string };

export function isTimezone(name: unknown): name is string {
  if (typeof name !== 'string' || name === '') return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

const ALLOWED_KEYS: Record<string, readonly string[]> = {
  now: ['type'],
  at: ['type', 'at'],
  cron: ['type', 'cron', 'timezone'],
};

/** The schedule, or the problems with it (a time in the past is one). */
export function parseSchedule(
  input: unknown,
  now: Date,
  field = 'schedule',
): { schedule: Schedule } | { problems: ErrorDetail[] } {
  const problem = (at: string, reason: string) => ({ problems: [{ field: at, reason }] });
  if (!isJsonObject(input))
    return problem(field, 'must be {type: now}, {type: at, at} or {type: cron, cron, timezone}');
  const unknown = unknownKeyProblems(input, ALLOWED_KEYS, input.type, 'type', field);
  if (unknown.length > 0) return { problems: unknown };
  switch (input.type) {
    case 'now':
      return { schedule: { type: 'now' } };
    case 'at': {
      const at = typeof input.at === 'string' ? parseIsoDate(input.at) : undefined;
      // Without an offset the time would be read in the server's zone, silently.
      if (!at || !/[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(String(input.at)))
        return problem(
          `${field}.at`,
          'must be an ISO 8601 date-time with an offset, e.g. 2026-11-27T09:00:00+01:00',
        );
      if (at.getTime() <= now.getTime()) return problem(`${field}.at`, 'must be in the future');
      return { schedule: { type: 'at', at: at.toISOString() } };
    }
    case 'cron': {
      if (!isTimezone(input.timezone))
        return problem(`${field}.timezone`, 'must be an IANA timezone such as Europe/Paris');
      if (typeof input.cron !== 'string' || input.cron.trim().split(/\s+/).length !== 5) {
        return problem(
          `${field}.cron`,
          'must be a 5-field cron expression (minute hour day month weekday)',
        );
      }
      try {
        CronExpressionParser.parse(input.cron, { tz: input.timezone, currentDate: now }).next();
      } catch (error) {
        return problem(
          `${field}.cron`,
          `is not valid: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      return { schedule: { type: 'cron', cron: input.cron.trim(), timezone: input.timezone } };
    }
    default:
      return problem(`${field}.type`, 'must be now, at or cron');
  }
}

/** When the schedule next fires after `after` (exclusive); `now` fires at once. */
export function nextOccurrence(schedule: Schedule, after: Date): Date | undefined {
  switch (schedule.type) {
    case 'now':
      return after;
    case 'at': {
      const at = new Date(schedule.at);
      return at.getTime() > after.getTime() ? at : undefined;
    }
    case 'cron':
      return CronExpressionParser.parse(schedule.cron, {
        tz: schedule.timezone,
        currentDate: after,
      })
        .next()
        .toDate();
  }
}
