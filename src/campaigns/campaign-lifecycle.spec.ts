import {
  isRefusal,
  planChange,
  type CampaignAction,
  type CampaignState,
} from './campaign-lifecycle';
import type { CampaignStatus } from './campaign-status';

const now = new Date('2026-11-23T12:00:00Z');
const later = new Date('2026-11-27T08:00:00Z');
const earlier = new Date('2026-11-20T08:00:00Z');
const cron = { type: 'cron', cron: '0 9 * * 1', timezone: 'Europe/Paris' } as const;

function state(status: CampaignStatus, extra: Partial<CampaignState> = {}): CampaignState {
  return { status, messageVersion: 1, schedule: { type: 'now' }, ...extra };
}

const publish = (tested = true, force = false): CampaignAction => ({
  kind: 'publish',
  tested,
  force,
});
const resume = (tested = false, force = false): CampaignAction => ({
  kind: 'resume',
  tested,
  force,
});

describe('planChange', () => {
  it.each<[string, CampaignState, CampaignAction, string]>([
    [
      'publish a draft twice is refused the second time',
      state('running'),
      publish(),
      'invalid_transition',
    ],
    [
      'publish a paused campaign (a second run)',
      state('paused', { activeRunId: 'r' }),
      publish(),
      'invalid_transition',
    ],
    ['publish an untested version', state('draft'), publish(false), 'test_send_required'],
    [
      'publish an `at` whose time has passed',
      state('draft', { schedule: { type: 'at', at: earlier.toISOString() } }),
      publish(),
      'schedule_passed',
    ],
    ['pause a draft', state('draft'), { kind: 'pause' }, 'invalid_transition'],
    ['resume a running campaign', state('running'), resume(), 'invalid_transition'],
    [
      'resume a changed, untested message',
      state('paused', { messageVersion: 2, publishedVersion: 1, activeRunId: 'r' }),
      resume(),
      'test_send_required',
    ],
    ['cancel a completed campaign', state('completed'), { kind: 'cancel' }, 'invalid_transition'],
    ['cancel twice', state('cancelled'), { kind: 'cancel' }, 'invalid_transition'],
    ['edit a running campaign', state('running'), { kind: 'edit', set: {} }, 'not_editable'],
    ['edit a scheduled campaign', state('scheduled'), { kind: 'edit', set: {} }, 'not_editable'],
    ['delete a published campaign', state('scheduled'), { kind: 'delete' }, 'not_draft'],
    [
      'start a campaign not yet due',
      state('scheduled', { nextRunAt: later }),
      { kind: 'start' },
      'not_due',
    ],
    [
      'start a paused campaign',
      state('paused', { nextRunAt: earlier }),
      { kind: 'start' },
      'not_due',
    ],
  ])('refuses: %s', (_name, campaign, action, code) => {
    const plan = planChange(campaign, action, now);
    expect(isRefusal(plan) && plan.refused.code).toBe(code);
  });

  it('publishes `now` into a run at once, keyed by the publish time', () => {
    expect(planChange(state('draft'), publish(), now)).toMatchObject({
      from: 'draft',
      to: 'running',
      set: { publishedVersion: 1 },
      startsRun: { occurrence: now },
    });
  });

  it('publishes `at` and cron as scheduled at their next occurrence, forced or tested', () => {
    const at = state('draft', { schedule: { type: 'at', at: later.toISOString() } });
    expect(planChange(at, publish(false, true), now)).toMatchObject({
      to: 'scheduled',
      set: { nextRunAt: later },
    });
    expect(planChange(state('draft', { schedule: cron }), publish(), now)).toMatchObject({
      to: 'scheduled',
      set: { nextRunAt: new Date('2026-11-30T08:00:00Z') },
    });
  });

  it('resumes the run in progress; a changed message needs a test or force', () => {
    const paused = state('paused', { messageVersion: 2, publishedVersion: 1, activeRunId: 'r' });
    expect(planChange(paused, resume(true), now)).toMatchObject({
      to: 'running',
      set: { publishedVersion: 2 },
    });
    expect(planChange(paused, resume(false, true), now)).toMatchObject({ to: 'running' });
    expect(
      planChange(state('paused', { publishedVersion: 1, activeRunId: 'r' }), resume(), now),
    ).toMatchObject({ to: 'running' });
  });

  it('resumes a campaign paused while waiting: cron waits for its next occurrence, a passed `at` starts once', () => {
    const waitingCron = state('paused', {
      publishedVersion: 1,
      schedule: cron,
      nextRunAt: earlier,
    });
    expect(planChange(waitingCron, resume(), now)).toMatchObject({
      to: 'scheduled',
      set: { nextRunAt: new Date('2026-11-30T08:00:00Z') },
    });
    const passedAt = state('paused', {
      publishedVersion: 1,
      schedule: { type: 'at', at: earlier.toISOString() },
    });
    expect(planChange(passedAt, resume(), now)).toMatchObject({
      to: 'running',
      startsRun: { occurrence: earlier },
    });
  });

  it('starts a due occurrence and moves a recurring campaign to its next one', () => {
    const monday = new Date('2026-11-23T08:00:00Z');
    expect(
      planChange(state('scheduled', { schedule: cron, nextRunAt: monday }), { kind: 'start' }, now),
    ).toMatchObject({
      to: 'running',
      set: { nextRunAt: new Date('2026-11-30T08:00:00Z') },
      startsRun: { occurrence: monday },
    });
    expect(
      planChange(
        state('scheduled', {
          schedule: { type: 'at', at: monday.toISOString() },
          nextRunAt: monday,
        }),
        { kind: 'start' },
        now,
      ),
    ).toMatchObject({ to: 'running', unset: ['nextRunAt'], startsRun: { occurrence: monday } });
  });

  it('finishes the active run: one-shot completed, recurring back to scheduled, cancelled stays', () => {
    const running = state('running', { activeRunId: 'r', activeRound: 0 });
    expect(planChange(running, { kind: 'finish', runId: 'r' }, now)).toMatchObject({
      to: 'completed',
      unset: ['activeRunId', 'activeRound'],
      runStatus: { runId: 'r', status: 'completed' },
    });
    // The run ends in the same change as the campaign moves on, never after it.
    expect(
      planChange({ ...running, schedule: cron }, { kind: 'finish', runId: 'r' }, now),
    ).toMatchObject({ to: 'scheduled', runStatus: { runId: 'r', status: 'completed' } });
    expect(
      planChange({ ...running, status: 'cancelled' }, { kind: 'finish', runId: 'r' }, now),
    ).toMatchObject({ to: 'cancelled', runStatus: { runId: 'r', status: 'cancelled' } });
    const stale = planChange(running, { kind: 'finish', runId: 'other' }, now);
    expect(isRefusal(stale) && stale.refused.code).toBe('not_active');
    const paused = planChange(
      { ...running, status: 'paused' },
      { kind: 'finish', runId: 'r' },
      now,
    );
    expect(isRefusal(paused)).toBe(true);
  });

  it('retries a finished run as its next round, never during another run', () => {
    expect(
      planChange(state('completed'), { kind: 'retry_failed', runId: 'r', round: 1 }, now),
    ).toMatchObject({
      to: 'running',
      set: { activeRunId: 'r', activeRound: 1 },
      runStatus: { runId: 'r', status: 'started' },
    });
    for (const status of ['running', 'paused'] as const) {
      const plan = planChange(state(status), { kind: 'retry_failed', runId: 'r', round: 1 }, now);
      expect(isRefusal(plan) && plan.refused.code).toBe('run_in_progress');
    }
    const cancelled = planChange(
      state('cancelled'),
      { kind: 'retry_failed', runId: 'r', round: 1 },
      now,
    );
    expect(isRefusal(cancelled) && cancelled.refused.code).toBe('invalid_transition');
  });

  it('pauses a running or waiting campaign and cancels anything not finished', () => {
    expect(planChange(state('running'), { kind: 'pause' }, now)).toMatchObject({
      to: 'paused',
      set: { pausedReason: 'paused by request' },
    });
    expect(
      planChange(state('running'), { kind: 'pause', reason: 'page_fatal' }, now),
    ).toMatchObject({ set: { pausedReason: 'page_fatal' } });
    expect(planChange(state('scheduled'), { kind: 'pause' }, now)).toMatchObject({ to: 'paused' });
    for (const status of ['draft', 'scheduled', 'running', 'paused'] as const)
      expect(planChange(state(status), { kind: 'cancel' }, now)).toMatchObject({
        to: 'cancelled',
        unset: ['nextRunAt'],
      });
  });
});
