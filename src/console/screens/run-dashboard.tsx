/**
 * The run dashboard (issue #11, screen 5): a campaign's run as it sends — progress,
 * speed and time left updating live, the outcome counts and their chart, why
 * recipients were skipped or failed, every recipient with filters and the CSV
 * export, and pause / resume / cancel / retry-failed.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, type ApiFailure } from '../api';
import { href } from '../router';
import {
  ConfirmButton,
  Empty,
  ErrorNotice,
  Loading,
  Notice,
  ProgressBar,
  ScreenHeader,
  SelectField,
  StatusBadge,
  TableScroll,
} from '../ui/components';
import { useAction, useApi } from '../ui/hooks';
import { browserTimeZone, formatDuration, formatNumber, formatTime } from '../ui/time';
import { addSample, OutcomeChart, type Sample } from './run-chart';
import { RunDeliveries, type DeliveryFilter } from './run-deliveries';
import { describeReason, type CampaignView, type RunStats, type RunView } from './run-types';
import './run-dashboard.css';

/** How often to read again: quickly while a run sends, slowly once it ended (receipts still arrive). */
const LIVE_MS = 1500;
const PAUSED_MS = 5000;
const IDLE_MS = 30_000;

type Kind = 'pause' | 'resume' | 'cancel' | 'retry';

export function RunDashboardScreen(props: { pageId: string; campaignId: string }) {
  const { campaignId } = props;
  const [picked, setPicked] = useState<string>();
  const [filter, setFilter] = useState<DeliveryFilter>({ status: '', reason: '', psid: '' });
  const [samples, setSamples] = useState<Sample[]>([]);
  const [announcement, setAnnouncement] = useState('');

  // What is known from the last answers decides how often to ask again.
  const [pace, setPace] = useState<{ campaign: number; stats: number }>({
    campaign: LIVE_MS,
    stats: LIVE_MS,
  });
  const campaign = useApi<CampaignView>(`/campaigns/${campaignId}`, pace.campaign);
  const runs = useApi<{ items: RunView[] }>(`/campaigns/${campaignId}/runs`);
  const runList = runs.data?.items ?? [];
  const runId = picked ?? runList[0]?._id;
  const run = runList.find((item) => item._id === runId);
  const stats = useApi<RunStats>(
    runId ? `/campaigns/${campaignId}/stats?runId=${runId}` : null,
    pace.stats,
  );
  const status = campaign.data?.status;
  const runOpen = run?.status === 'started';
  const sending = runOpen && status !== 'paused';

  useEffect(() => {
    setPace({
      // A running campaign is read live even when its run shows as ended: it moves on next.
      campaign:
        sending || status === 'running'
          ? LIVE_MS
          : status === 'paused' || status === 'scheduled'
            ? PAUSED_MS
            : IDLE_MS,
      stats: sending ? LIVE_MS : runOpen ? PAUSED_MS : IDLE_MS,
    });
  }, [sending, runOpen, status]);

  // The campaign moved (started, paused, finished, a new run or round): read the runs and counts now.
  const moveKey = campaign.data
    ? `${campaign.data.status}|${campaign.data.activeRunId ?? ''}|${campaign.data.activeRound ?? ''}`
    : '';
  const lastMove = useRef('');
  useEffect(() => {
    if (!moveKey) return;
    const before = lastMove.current;
    lastMove.current = moveKey;
    if (!before) return;
    runs.reload();
    stats.reload();
    const [was] = before.split('|');
    if (was !== status && status) setAnnouncement(`The campaign is now ${status}.`);
  }, [moveKey]);

  // A run shown as sending whose campaign no longer sends it: its end is recorded soon after.
  useEffect(() => {
    if (!runOpen || !campaign.data || campaign.data.activeRunId === runId) return;
    const timer = setTimeout(runs.reload, LIVE_MS);
    return () => clearTimeout(timer);
  }, [runOpen, campaign.data, runId, runs.reload]);

  // The chart: one sample per answer while the run is open, and the first after it ends.
  const recording = useRef(false);
  useEffect(() => {
    setSamples([]);
    recording.current = false;
  }, [runId]);
  useEffect(() => {
    const answer = stats.data;
    if (!answer || answer.runId !== runId || !run) return;
    if (!runOpen && !recording.current) return;
    recording.current = runOpen;
    const sample: Sample = {
      at: Date.now(),
      sent: answer.sent,
      delivered: answer.delivered,
      read: answer.read,
      failed: answer.failed,
      skipped: answer.skipped,
      unknown: answer.unknown,
    };
    setSamples((seen) => {
      const startedAt = Date.parse(run.createdAt);
      const start: Sample[] =
        seen.length === 0 && startedAt < sample.at
          ? [
              {
                at: startedAt,
                sent: 0,
                delivered: 0,
                read: 0,
                failed: 0,
                skipped: 0,
                unknown: 0,
                assumed: true,
              },
            ]
          : [];
      return addSample([...start, ...seen], sample);
    });
  }, [stats.data]);

  const [pending, setPending] = useState<Kind>();
  /** What the last action did, shown until the campaign moves on from the status it left it in. */
  const [outcome, setOutcome] = useState<{ text: string; status: string; reached: boolean }>();
  useEffect(() => {
    if (!outcome || !status) return;
    if (status === outcome.status && !outcome.reached) setOutcome({ ...outcome, reached: true });
    else if (status !== outcome.status && outcome.reached) setOutcome(undefined);
  }, [status, outcome]);

  const action = useAction(async (kind: Kind, body: Record<string, unknown> = {}) => {
    setPending(kind);
    setOutcome(undefined);
    try {
      const path = kind === 'retry' ? 'retry-failed' : kind;
      const answer = await api<{ status: string; requeued?: number }>(
        'POST',
        `/campaigns/${campaignId}/${path}`,
        kind === 'retry' ? { runId } : body,
      );
      setOutcome({ text: doneMessage(kind, answer), status: answer.status, reached: false });
    } finally {
      // Whatever the answer, the campaign may have moved: show it as it is now.
      campaign.reload();
      runs.reload();
      stats.reload();
    }
  });

  if (campaign.error && !campaign.data)
    return (
      <section>
        <ScreenHeader title="Run" />
        <ErrorNotice error={campaign.error} title="The campaign could not be loaded" />
        <p>
          <a href={href(`/pages/${props.pageId}/campaigns`)}>Back to the campaigns</a>
        </p>
      </section>
    );
  if (!campaign.data) return <Loading what="the campaign" />;
  const c = campaign.data;
  const scheduleZone = c.schedule.type === 'cron' ? c.schedule.timezone : undefined;
  const busy = action.busy;
  const failures = stats.data ? stats.data.failed + stats.data.unknown : 0;
  const canRetry =
    (c.status === 'completed' || c.status === 'scheduled') &&
    Boolean(run) &&
    !runOpen &&
    failures > 0;

  return (
    <div class="run-dashboard">
      <ScreenHeader title={c.name}>
        {(c.status === 'running' || c.status === 'scheduled') && (
          <ConfirmButton
            label={c.status === 'scheduled' ? 'Pause campaign' : 'Pause sending'}
            question={`Pause “${c.name}”? Messages already on their way may still arrive; nothing new is sent until you resume.`}
            confirmLabel="Pause"
            busy={busy && pending === 'pause'}
            disabled={busy}
            onConfirm={() => action.run('pause')}
          />
        )}
        {c.status === 'paused' && (
          <ConfirmButton
            label={c.activeRunId ? 'Resume sending' : 'Resume campaign'}
            variant="primary"
            question={`Resume “${c.name}”? It carries on with the recipients not reached yet.`}
            confirmLabel="Resume"
            busy={busy && pending === 'resume'}
            disabled={busy}
            onConfirm={() => action.run('resume')}
          />
        )}
        {canRetry && (
          <ConfirmButton
            label="Retry failed"
            variant="primary"
            question={`Send again to this run’s ${formatNumber(stats.data?.failed)} failed and ${formatNumber(
              stats.data?.unknown,
            )} unknown recipients? Only failures Facebook may accept on a new try are sent again; permanent refusals stay as they are.`}
            confirmLabel="Send again"
            busy={busy && pending === 'retry'}
            disabled={busy}
            onConfirm={() => action.run('retry')}
          />
        )}
        {(c.status === 'running' || c.status === 'scheduled' || c.status === 'paused') && (
          <ConfirmButton
            label="Cancel campaign"
            variant="danger"
            question={`Cancel “${c.name}” for good? Recipients not reached yet are skipped, and the campaign cannot be started again.`}
            confirmLabel="Cancel campaign"
            busy={busy && pending === 'cancel'}
            disabled={busy}
            onConfirm={() => action.run('cancel')}
          />
        )}
      </ScreenHeader>

      <p class="run-meta">
        <span>
          Status: <StatusBadge status={c.status} />
        </span>
        {c.status === 'paused' && c.pausedReason && (
          <span>Paused because: {pausedWords(c.pausedReason)}</span>
        )}
        <a href={href(`/pages/${props.pageId}/campaigns/${campaignId}`)}>Campaign settings</a>
        <a href={href(`/pages/${props.pageId}/campaigns`)}>All campaigns</a>
      </p>
      <p class="visually-hidden" aria-live="polite">
        {announcement}
      </p>

      {outcome && <Notice kind="success">{outcome.text}</Notice>}
      <ActionFailure
        error={action.error}
        kind={pending}
        busy={busy}
        builderPath={`/pages/${props.pageId}/campaigns/${campaignId}`}
        onForceResume={() => void action.run('resume', { force: true })}
      />
      <ErrorNotice error={campaign.error} title="The campaign could not be refreshed" />

      {c.status === 'draft' && (
        <Notice>
          This campaign is a draft and has not been published yet.{' '}
          <a href={href(`/pages/${props.pageId}/campaigns/${campaignId}`)}>Open it to publish</a>.
        </Notice>
      )}
      <ErrorNotice error={runs.error} title="The runs could not be loaded" />
      {runs.loading && !runs.data && <Loading what="the runs" />}
      {runs.data && runList.length === 0 && (
        <Empty>
          Nothing has been sent yet.
          {c.nextRunAt && (
            <>
              {' '}
              The first run starts {formatTime(c.nextRunAt)}
              {zoneNote(c.nextRunAt, scheduleZone)}.
            </>
          )}
        </Empty>
      )}

      {run && (
        <>
          <section aria-labelledby="run-title">
            <h2 id="run-title">Run</h2>
            {runList.length > 1 && (
              <div class="run-picker">
                <SelectField
                  label="Run to show"
                  name="run"
                  value={runId ?? ''}
                  onChange={(value) => setPicked(value)}
                  hint="This campaign repeats: each scheduled time is a run of its own."
                  options={runList.map((item) => ({
                    value: item._id,
                    label: `${formatTime(item.occurrence, scheduleZone)} — ${RUN_WORDS[item.status]}`,
                  }))}
                />
              </div>
            )}
            <dl class="run-times">
              <div>
                <dt>Started</dt>
                <dd>
                  {formatTime(run.createdAt, undefined, { seconds: true })}
                  {zoneNote(run.createdAt, scheduleZone)}
                </dd>
              </div>
              <div>
                <dt>Finished</dt>
                <dd>
                  {run.finishedAt && !runOpen ? (
                    <>
                      {formatTime(run.finishedAt, undefined, { seconds: true })}
                      {zoneNote(run.finishedAt, scheduleZone)}
                    </>
                  ) : c.status === 'paused' ? (
                    'Not yet: paused'
                  ) : (
                    'Not yet: sending'
                  )}
                </dd>
              </div>
              {(run.progress?.round ?? 0) > 0 && (
                <div>
                  <dt>Round</dt>
                  <dd>{formatNumber((run.progress?.round ?? 0) + 1)} (a retry of the failures)</dd>
                </div>
              )}
              {c.status === 'scheduled' && c.nextRunAt && (
                <div>
                  <dt>Next run</dt>
                  <dd>
                    {formatTime(c.nextRunAt)}
                    {zoneNote(c.nextRunAt, scheduleZone)}
                  </dd>
                </div>
              )}
            </dl>
          </section>

          <ErrorNotice error={stats.error} title="The counts could not be refreshed" />
          {!stats.data && stats.loading && <Loading what="the counts" />}
          {stats.data && (
            <RunFigures
              stats={stats.data}
              sending={sending}
              paused={c.status === 'paused' && runOpen}
              samples={samples}
              onReason={(reason) => {
                setFilter({ status: '', reason, psid: '' });
                document
                  .getElementById('run-deliveries')
                  ?.scrollIntoView({ behavior: 'smooth', block: 'start' });
              }}
            />
          )}

          <RunDeliveries
            pageId={props.pageId}
            campaignId={campaignId}
            runId={run._id}
            reasons={Object.keys(stats.data?.byReason ?? {})}
            filter={filter}
            onFilter={setFilter}
            refreshKey={`${moveKey}|${run.status}|${outcome?.text ?? ''}`}
            live={sending}
          />
        </>
      )}
    </div>
  );
}

const RUN_WORDS: Record<RunView['status'], string> = {
  started: 'sending',
  completed: 'completed',
  cancelled: 'cancelled',
};

function RunFigures(props: {
  stats: RunStats;
  sending: boolean;
  paused: boolean;
  samples: Sample[];
  onReason: (reason: string) => void;
}) {
  const { stats } = props;
  const { progress } = stats;
  const finished = progress.total !== null && progress.done >= progress.total && !props.sending;
  const byCount = (a: [string, number], b: [string, number]) => b[1] - a[1];
  const skips = Object.entries(stats.reasonsByStatus.skipped).sort(byCount);
  const failures = [
    ...Object.entries(stats.reasonsByStatus.failed),
    ...Object.entries(stats.reasonsByStatus.unknown),
  ].sort(byCount);
  return (
    <>
      <section aria-labelledby="run-progress-title">
        <h2 id="run-progress-title">Progress</h2>
        {progress.total === null ? (
          <p>{formatNumber(progress.done)} recipients done; the audience is still being counted.</p>
        ) : (
          <ProgressBar value={progress.done} max={progress.total} label="Recipients done" />
        )}
        <dl class="run-pace">
          <div>
            <dt>Done</dt>
            <dd>
              {formatNumber(progress.done)}
              {progress.total !== null && <> of {formatNumber(progress.total)}</>} recipients
            </dd>
          </div>
          <div>
            <dt>Speed</dt>
            <dd>
              {props.sending
                ? `${progress.ratePerSecond.toLocaleString(undefined, {
                    maximumFractionDigits: 1,
                  })} messages per second`
                : '—'}
            </dd>
          </div>
          <div>
            <dt>Time left</dt>
            <dd>
              {finished
                ? 'None: finished'
                : props.paused
                  ? 'Paused'
                  : progress.etaSeconds === null
                    ? 'Working it out…'
                    : `About ${formatDuration(progress.etaSeconds)}`}
            </dd>
          </div>
        </dl>
      </section>

      <section aria-labelledby="run-outcomes-title">
        <h2 id="run-outcomes-title">Outcomes</h2>
        <dl class="stats run-stats">
          <Tile label="Audience" value={stats.audience ?? undefined} />
          <Tile label="Sent" value={stats.sent} tone="ok" />
          <Tile label="Delivered" value={stats.delivered} tone="ok" />
          <Tile label="Read" value={stats.read} tone="ok" />
          <Tile label="Failed" value={stats.failed} tone="bad" />
          <Tile label="Skipped" value={stats.skipped} tone="warn" />
          <Tile label="Unknown" value={stats.unknown} tone="warn" />
          <Tile label="Waiting" value={stats.pending ?? undefined} />
        </dl>
        <p class="hint">
          Delivered and read are part of sent, as Messenger reports them back. Unknown means
          Facebook did not answer clearly: the message may have arrived.
        </p>
        <h3>Over time</h3>
        <OutcomeChart samples={props.samples} />
      </section>

      <section aria-labelledby="run-reasons-title">
        <h2 id="run-reasons-title">Why some were not sent</h2>
        {skips.length === 0 && failures.length === 0 ? (
          <p>No recipient was skipped and nothing failed{props.sending ? ' so far' : ''}.</p>
        ) : (
          <div class="grid run-reasons">
            <ReasonTable
              title="Failed or unknown, by reason"
              rows={failures}
              empty="Nothing failed."
              onReason={props.onReason}
            />
            <ReasonTable
              title="Skipped, by reason"
              rows={skips}
              empty="Nobody was skipped."
              onReason={props.onReason}
            />
          </div>
        )}
      </section>
    </>
  );
}

function Tile(props: { label: string; value?: number; tone?: 'ok' | 'bad' | 'warn' }) {
  return (
    <div class={`stat${props.tone ? ` run-stat--${props.tone}` : ''}`}>
      <dt>{props.label}</dt>
      <dd>{formatNumber(props.value)}</dd>
    </div>
  );
}

function ReasonTable(props: {
  title: string;
  rows: [string, number][];
  empty: string;
  onReason: (reason: string) => void;
}) {
  return (
    <div>
      <h3>{props.title}</h3>
      {props.rows.length === 0 ? (
        <p class="hint">{props.empty}</p>
      ) : (
        <TableScroll label={props.title}>
          <table>
            <caption class="visually-hidden">{props.title}</caption>
            <thead>
              <tr>
                <th scope="col">Reason</th>
                <th scope="col" class="number">
                  Recipients
                </th>
              </tr>
            </thead>
            <tbody>
              {props.rows.map(([reason, count]) => (
                <tr key={reason}>
                  <th scope="row" class="run-reason">
                    <button
                      type="button"
                      class="run-link-button"
                      onClick={() => props.onReason(reason)}
                      aria-label={`${describeReason(reason)} (${reason}): show these recipients`}
                    >
                      {describeReason(reason)}
                    </button>{' '}
                    <code>{reason}</code>
                  </th>
                  <td class="number">{formatNumber(count)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
    </div>
  );
}

/** A refused or failed action, explained; a resume that needs a test-send can be forced after a question. */
function ActionFailure(props: {
  error?: ApiFailure;
  kind?: Kind;
  busy: boolean;
  builderPath: string;
  onForceResume: () => void;
}) {
  const { error } = props;
  if (!error) return null;
  if (error.code === 'test_send_required')
    return (
      <div class="notice notice--warning" role="alert">
        <p class="run-notice__title">
          <strong>Not resumed: the message changed since it went live.</strong>
        </p>
        <p>
          The new version has not had a successful test-send yet, so nobody has checked it on a real
          phone. <a href={href(props.builderPath)}>Open the campaign to send a test</a>, then resume
          here — or resume without a test.
        </p>
        <div class="actions">
          <ConfirmButton
            label="Resume without a test-send"
            variant="danger"
            question="Resume without a test-send? The changed message goes to every recipient not reached yet, unchecked."
            confirmLabel="Resume anyway"
            busy={props.busy}
            disabled={props.busy}
            onConfirm={props.onForceResume}
          />
        </div>
      </div>
    );
  if (error.code === 'nothing_to_retry')
    return (
      <Notice kind="warning">
        <strong>Nothing to send again.</strong> Every failure left in this run is a permanent
        refusal from Facebook (such as a person who cannot receive messages), which would fail
        again. ({error.message})
      </Notice>
    );
  if (error.status === 409)
    return (
      <ErrorNotice
        error={error}
        title={`Not ${KIND_WORDS[props.kind ?? 'pause']}: the campaign has moved on (now shown as it is)`}
      />
    );
  return <ErrorNotice error={error} title={`Not ${KIND_WORDS[props.kind ?? 'pause']}`} />;
}

const KIND_WORDS: Record<Kind, string> = {
  pause: 'paused',
  resume: 'resumed',
  cancel: 'cancelled',
  retry: 'retried',
};

function doneMessage(kind: Kind, answer: { status: string; requeued?: number }): string {
  const at = formatTime(new Date(), undefined, { seconds: true });
  switch (kind) {
    case 'pause':
      return `Paused at ${at}. Messages already on their way may still arrive; nothing new is sent.`;
    case 'resume':
      return answer.status === 'scheduled'
        ? `Resumed at ${at}: the campaign waits for its next scheduled time.`
        : `Resumed at ${at}: sending carries on.`;
    case 'cancel':
      return `Cancelled at ${at}. Recipients not reached are recorded as skipped.`;
    case 'retry':
      return `Retry started at ${at}: ${formatNumber(answer.requeued)} recipients are sent the message again.`;
  }
}

function pausedWords(reason: string): string {
  if (reason === 'paused by request') return 'someone paused it';
  if (reason.startsWith('max_errors'))
    return `too many failures (${reason.replace(/^max_errors:\s*/, '')})`;
  if (reason.startsWith('page_fatal'))
    return `Facebook refused the Page (${reason.replace(/^page_fatal:\s*/, '')}); check the Page’s connection`;
  return reason;
}

/** The same time in the schedule's zone when it differs from this browser's. */
function zoneNote(value: string, zone?: string) {
  if (!zone || zone === browserTimeZone()) return null;
  return <span class="run-zone"> ({formatTime(value, zone)})</span>;
}
