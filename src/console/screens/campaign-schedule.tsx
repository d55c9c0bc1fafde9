/**
 * The schedule (src/campaigns/schedule.ts): now, at a date and time in a chosen
 * timezone, or recurring by cron (presets or a raw expression) in a timezone.
 * The next runs are computed here with cron-parser, the library the service
 * schedules with, and shown in the campaign's timezone and in the marketer's own.
 */
import { CronExpressionParser } from 'cron-parser';
import { useMemo } from 'preact/hooks';
import type { ApiFailure } from '../api';
import { Field, SelectField, TableScroll, TextField } from '../ui/components';
import { browserTimeZone, formatTime } from '../ui/time';
import { Choice } from './campaign-message-editor';
import { exactReason, type Schedule } from './campaign-types';

export interface ScheduleDraft {
  type: Schedule['type'];
  /** `at`: the date and time as typed (YYYY-MM-DDTHH:mm), read in `atZone` */
  atLocal: string;
  atZone: string;
  cron: string;
  cronZone: string;
}

export const CRON_PRESETS = [
  { cron: '0 9 * * *', label: 'Every day at 9:00' },
  { cron: '0 9 * * 1', label: 'Every Monday at 9:00' },
  { cron: '0 9 * * 1-5', label: 'Every weekday (Monday to Friday) at 9:00' },
  { cron: '0 17 * * 5', label: 'Every Friday at 17:00' },
  { cron: '0 10 * * 6', label: 'Every Saturday at 10:00' },
  { cron: '0 9 1 * *', label: 'On the 1st of every month at 9:00' },
  { cron: '0 * * * *', label: 'Every hour, on the hour' },
];

export function newScheduleDraft(): ScheduleDraft {
  const zone = browserTimeZone();
  return { type: 'now', atLocal: '', atZone: zone, cron: '0 9 * * 1', cronZone: zone };
}

export function scheduleFromApi(schedule: Schedule): ScheduleDraft {
  const draft = newScheduleDraft();
  draft.type = schedule.type;
  if (schedule.type === 'at') draft.atLocal = localInZone(new Date(schedule.at), draft.atZone);
  if (schedule.type === 'cron') {
    draft.cron = schedule.cron;
    draft.cronZone = schedule.timezone;
  }
  return draft;
}

export function scheduleToApi(draft: ScheduleDraft): Record<string, unknown> {
  switch (draft.type) {
    case 'now':
      return { type: 'now' };
    case 'at':
      // Unreadable input goes as typed: the API names schedule.at beside the field.
      return { type: 'at', at: zonedIso(draft.atLocal, draft.atZone) ?? draft.atLocal };
    case 'cron':
      return { type: 'cron', cron: draft.cron.trim(), timezone: draft.cronZone };
  }
}

/** How a schedule reads in the campaign list: "Every Monday at 9:00 (Europe/Paris)". */
export function describeSchedule(schedule: Schedule): string {
  switch (schedule.type) {
    case 'now':
      return 'As soon as published';
    case 'at':
      return `Once, ${formatTime(schedule.at)}`;
    case 'cron': {
      const preset = CRON_PRESETS.find((p) => p.cron === schedule.cron);
      return `${preset ? preset.label : `Cron ${schedule.cron}`} (${schedule.timezone})`;
    }
  }
}

/** The next `count` runs of a cron expression in `timeZone`, or the parser's words. */
export function nextCronRuns(
  cron: string,
  timeZone: string,
  count: number,
  after = new Date(),
): { runs: Date[] } | { error: string } {
  if (cron.trim().split(/\s+/).length !== 5)
    return { error: 'a cron expression has 5 parts: minute hour day month weekday' };
  try {
    const expression = CronExpressionParser.parse(cron.trim(), {
      tz: timeZone,
      currentDate: after,
    });
    return { runs: Array.from({ length: count }, () => expression.next().toDate()) };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

const pad = (n: number) => String(n).padStart(2, '0');

function partsIn(date: Date, timeZone: string) {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(date);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return {
    year: get('year'),
    month: get('month'),
    day: get('day'),
    hour: get('hour') % 24,
    minute: get('minute'),
    second: get('second'),
  };
}

/** Minutes `timeZone` is ahead of UTC at `date`. */
function offsetMinutes(date: Date, timeZone: string): number {
  const p = partsIn(date, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return Math.round((asUtc - Math.floor(date.getTime() / 1000) * 1000) / 60000);
}

/** `2026-11-27T09:00` read in `timeZone`, as ISO 8601 with its offset (`2026-11-27T09:00:00+01:00`). */
export function zonedIso(local: string, timeZone: string): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(local);
  if (!m) return undefined;
  const [year, month, day, hour, minute] = m.slice(1).map(Number);
  const guess = Date.UTC(year, month - 1, day, hour, minute);
  let offset = offsetMinutes(new Date(guess), timeZone);
  offset = offsetMinutes(new Date(guess - offset * 60000), timeZone);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:00${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** `date` as a datetime-local value in `timeZone`. */
export function localInZone(date: Date, timeZone: string): string {
  if (Number.isNaN(date.getTime())) return '';
  const p = partsIn(date, timeZone);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}`;
}

let zones: string[] | undefined;
/** Every IANA timezone this browser knows, UTC included. */
export function timeZones(): string[] {
  if (!zones) {
    const known = Intl.supportedValuesOf('timeZone');
    zones = known.includes('UTC') ? known : ['UTC', ...known];
  }
  return zones;
}

export function TimezoneSelect(props: {
  label: string;
  value: string;
  onChange: (zone: string) => void;
  field?: string;
  error?: ApiFailure;
  hint?: string;
}) {
  const options = useMemo(() => {
    const all = timeZones();
    return all.includes(props.value) || !props.value ? all : [props.value, ...all];
  }, [props.value]);
  return (
    <Field label={props.label} field={props.field} error={props.error} hint={props.hint}>
      {({ id, describedBy, invalid }) => (
        <select
          id={id}
          name={props.field}
          value={props.value}
          aria-describedby={describedBy}
          aria-invalid={invalid}
          onChange={(event) => props.onChange(event.currentTarget.value)}
        >
          {options.map((zone) => (
            <option key={zone} value={zone}>
              {zone.replace(/_/g, ' ')}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

export function ScheduleEditor(props: {
  draft: ScheduleDraft;
  onChange: (draft: ScheduleDraft) => void;
  error?: ApiFailure;
  /** A published campaign cannot go back to "now". */
  allowNow: boolean;
}) {
  const { draft, error } = props;
  const set = (patch: Partial<ScheduleDraft>) => props.onChange({ ...draft, ...patch });
  const mine = browserTimeZone();
  const preset = CRON_PRESETS.find((p) => p.cron === draft.cron.trim());
  const types = [
    ...(props.allowNow || draft.type === 'now'
      ? [{ value: 'now', label: 'Now', hint: 'Starts sending as soon as it is published.' }]
      : []),
    { value: 'at', label: 'Once, at a date and time' },
    { value: 'cron', label: 'Repeatedly', hint: 'Every day, every Monday, … (cron).' },
  ];
  return (
    <div class="cb-schedule">
      <Choice
        legend="When"
        name="schedule"
        value={draft.type}
        options={types}
        onChange={(type) => set({ type: type as ScheduleDraft['type'] })}
        error={exactReason(error, 'schedule.type') ?? exactReason(error, 'schedule')}
      />
      {draft.type === 'at' && (
        <>
          <div class="cb-columns">
            <Field label="Date and time" field="schedule.at" error={error}>
              {({ id, describedBy, invalid }) => (
                <input
                  id={id}
                  name="schedule.at"
                  type="datetime-local"
                  value={draft.atLocal}
                  aria-describedby={describedBy}
                  aria-invalid={invalid}
                  onInput={(event) => set({ atLocal: event.currentTarget.value })}
                />
              )}
            </Field>
            <TimezoneSelect
              label="Timezone"
              value={draft.atZone}
              onChange={(atZone) => set({ atZone })}
            />
          </div>
          <AtSummary draft={draft} mine={mine} />
        </>
      )}
      {draft.type === 'cron' && (
        <>
          <div class="cb-columns">
            <SelectField
              label="Repeat"
              value={preset ? preset.cron : 'custom'}
              options={[
                ...CRON_PRESETS.map((p) => ({ value: p.cron, label: p.label })),
                { value: 'custom', label: 'Custom (cron expression)' },
              ]}
              onChange={(cron) => {
                if (cron !== 'custom') set({ cron });
              }}
            />
            <TimezoneSelect
              label="Campaign timezone"
              value={draft.cronZone}
              onChange={(cronZone) => set({ cronZone })}
              field="schedule.timezone"
              error={error}
              hint="The schedule's times are read in this timezone, daylight saving included."
            />
          </div>
          <TextField
            label="Cron expression"
            value={draft.cron}
            onInput={(cron) => set({ cron })}
            field="schedule.cron"
            error={error}
            hint="minute hour day-of-month month weekday, e.g. 30 8 * * 1-5 is 8:30 on weekdays."
          />
          <NextRuns cron={draft.cron} zone={draft.cronZone} mine={mine} />
        </>
      )}
    </div>
  );
}

function AtSummary(props: { draft: ScheduleDraft; mine: string }) {
  const iso = zonedIso(props.draft.atLocal, props.draft.atZone);
  if (!iso) return <p class="hint">Choose the date and time it is sent.</p>;
  const at = new Date(iso);
  return (
    <p class="hint" aria-live="polite">
      Sends {formatTime(at, props.draft.atZone)}
      {props.draft.atZone !== props.mine && <> — your time: {formatTime(at, props.mine)}</>}
      {at.getTime() <= Date.now() && <strong class="count--over"> This time has passed.</strong>}
    </p>
  );
}

/** A run's time with its weekday (a recurring schedule is read by its days) and its timezone. */
function formatRun(date: Date, timeZone: string): string {
  let weekday = '';
  try {
    weekday = `${new Intl.DateTimeFormat(undefined, { weekday: 'short', timeZone }).format(date)}, `;
  } catch {
    // A zone this browser does not know: formatTime shows the instant itself.
  }
  return `${weekday}${formatTime(date, timeZone)}`;
}

export function NextRuns(props: { cron: string; zone: string; mine: string }) {
  const next = nextCronRuns(props.cron, props.zone, 5);
  if ('error' in next)
    return (
      <p class="notice notice--warning" role="status">
        The next runs cannot be worked out: {next.error}
      </p>
    );
  const same = props.zone === props.mine;
  return (
    <div class="cb-next-runs">
      <h3 id="next-runs-title">Next runs</h3>
      <TableScroll label="Next runs">
        <table aria-labelledby="next-runs-title">
          <thead>
            <tr>
              <th scope="col">In the campaign's timezone ({props.zone})</th>
              {!same && <th scope="col">Your time ({props.mine})</th>}
            </tr>
          </thead>
          <tbody>
            {next.runs.map((run) => (
              <tr key={run.getTime()}>
                <td>{formatRun(run, props.zone)}</td>
                {!same && <td>{formatRun(run, props.mine)}</td>}
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
    </div>
  );
}
