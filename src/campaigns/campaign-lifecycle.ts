/**
 * What each lifecycle request does to a campaign, as a pure function of the
 * campaign as it was read (SPEC §8): the planned change names the status it
 * moves from and to, the fields it sets, and the run it starts, or it is refused
 * with a conflict. The change service then makes it happen exactly once.
 */
import { canTransition, EDITABLE_STATUSES, type CampaignStatus } from './campaign-status';
import { nextOccurrence, type Schedule } from './schedule';

export interface CampaignState {
  status: CampaignStatus;
  messageVersion: number;
  /** The message version that went live at publish or at the last resume. */
  publishedVersion?: number;
  schedule: Schedule;
  nextRunAt?: Date;
  /** The run being sent (a paused campaign keeps it, so resume continues that run). */
  activeRunId?: string;
  /** The round of the active run being sent: 0, then one more per retry-failed. */
  activeRound?: number;
}

export type CampaignAction =
  | { kind: 'publish'; tested: boolean; force: boolean }
  | { kind: 'pause'; reason?: string }
  | { kind: 'resume'; tested: boolean; force: boolean }
  | { kind: 'cancel' }
  | { kind: 'edit'; set: Record<string, unknown> }
  | { kind: 'delete' }
  | { kind: 'start' }
  /** The engine finished the active run (or, for a cancelled campaign, skipped what was left). */
  | { kind: 'finish'; runId: string }
  /** Sends the failed and unknown of `runId` again, as the next round of that run. */
  | { kind: 'retry_failed'; runId: string; round: number };

export interface PlannedChange {
  action: CampaignAction['kind'];
  from: CampaignStatus;
  to: CampaignStatus;
  set: Record<string, unknown>;
  unset: string[];
  /** A run to insert under (campaignId, occurrence): the exclusive claim to that occurrence. */
  startsRun?: { occurrence: Date };
  /** An existing run that ends (completed, cancelled) or opens again for a retry round (started). */
  runStatus?: { runId: string; status: 'started' | 'completed' | 'cancelled' };
}

export interface Refusal {
  refused: { code: string; message: string; field?: string };
}

const refuse = (code: string, message: string, field?: string): Refusal => ({
  refused: { code, message, ...(field ? { field } : {}) },
});

function illegal(from: CampaignStatus, to: CampaignStatus): Refusal {
  return refuse('invalid_transition', `a ${from} campaign cannot become ${to}`);
}

function untested(version: number): Refusal {
  return refuse(
    'test_send_required',
    `message version ${version} has no successful test-send; test-send it or send force: true`,
  );
}

/** The change a request makes now, or why it cannot. */
export function planChange(
  campaign: CampaignState,
  action: CampaignAction,
  now: Date,
): PlannedChange | Refusal {
  const from = campaign.status;
  const change = (
    to: CampaignStatus,
    set: Record<string, unknown> = {},
    unset: string[] = [],
    startsRun?: { occurrence: Date },
  ): PlannedChange => ({ action: action.kind, from, to, set, unset, startsRun });

  switch (action.kind) {
    case 'publish': {
      // Publishing is once: a paused campaign resumes, it is never published again.
      if (from !== 'draft')
        return refuse('invalid_transition', `a ${from} campaign is already published`);
      if (!action.tested && !action.force) return untested(campaign.messageVersion);
      const published = { publishedVersion: campaign.messageVersion };
      if (campaign.schedule.type === 'now')
        return change('running', published, ['nextRunAt'], { occurrence: now });
      const nextRunAt = nextOccurrence(campaign.schedule, now);
      if (!nextRunAt)
        return refuse('schedule_passed', 'schedule.at must be in the future', 'schedule.at');
      return change('scheduled', { ...published, nextRunAt });
    }
    case 'pause':
      return canTransition(from, 'paused')
        ? change('paused', { pausedReason: action.reason ?? 'paused by request' })
        : illegal(from, 'paused');
    case 'resume': {
      if (from !== 'paused')
        return refuse('invalid_transition', `only a paused campaign resumes; this one is ${from}`);
      if (campaign.messageVersion !== campaign.publishedVersion && !action.tested && !action.force)
        return untested(campaign.messageVersion);
      const published = { publishedVersion: campaign.messageVersion };
      if (campaign.activeRunId) return change('running', published, ['pausedReason']);
      return resumeWaiting(campaign, now, (to, set, unset, run) =>
        change(to, { ...published, ...set }, [...unset, 'pausedReason'], run),
      );
    }
    case 'cancel':
      return canTransition(from, 'cancelled')
        ? change('cancelled', {}, ['nextRunAt'])
        : illegal(from, 'cancelled');
    case 'edit':
      if (!EDITABLE_STATUSES.includes(from))
        return refuse('not_editable', `a ${from} campaign cannot be edited (only draft or paused)`);
      return change(from, action.set);
    case 'delete':
      if (from !== 'draft')
        return refuse('not_draft', `only a draft can be deleted; cancel a ${from} campaign`);
      return change(from);
    case 'finish': {
      if (campaign.activeRunId !== action.runId)
        return refuse('not_active', `run ${action.runId} is not the campaign's active run`);
      const ended = ['activeRunId', 'activeRound'];
      const runStatus = (status: 'completed' | 'cancelled') => ({ runId: action.runId, status });
      if (from === 'cancelled')
        return { ...change('cancelled', {}, ended), runStatus: runStatus('cancelled') };
      if (from !== 'running') return illegal(from, 'completed');
      const to = campaign.schedule.type === 'cron' ? 'scheduled' : 'completed';
      return { ...change(to, {}, ended), runStatus: runStatus('completed') };
    }
    case 'retry_failed': {
      if (from === 'running' || from === 'paused')
        return refuse(
          'run_in_progress',
          `a ${from} campaign has a run in progress; retry when it ends`,
        );
      if (from !== 'completed' && from !== 'scheduled') return illegal(from, 'running');
      return {
        ...change('running', { activeRunId: action.runId, activeRound: action.round }),
        runStatus: { runId: action.runId, status: 'started' },
      };
    }
    case 'start': {
      const occurrence = campaign.nextRunAt;
      if (from !== 'scheduled' || !occurrence || occurrence.getTime() > now.getTime())
        return refuse('not_due', `the campaign is ${from} and not due`);
      const next =
        campaign.schedule.type === 'cron'
          ? nextOccurrence(campaign.schedule, occurrence)
          : undefined;
      return next
        ? change('running', { nextRunAt: next }, [], { occurrence })
        : change('running', {}, ['nextRunAt'], { occurrence });
    }
  }
}

/**
 * A campaign paused while it waited for its next run: a recurring one waits for
 * its next occurrence from now (a missed one is not caught up); a one-shot `at`
 * keeps its single occurrence, and starts at once when that time has passed.
 */
function resumeWaiting(
  campaign: CampaignState,
  now: Date,
  change: (
    to: CampaignStatus,
    set: Record<string, unknown>,
    unset: string[],
    startsRun?: { occurrence: Date },
  ) => PlannedChange,
): PlannedChange | Refusal {
  const { schedule } = campaign;
  if (schedule.type === 'cron') {
    const waiting = campaign.nextRunAt && campaign.nextRunAt > now ? campaign.nextRunAt : undefined;
    return change('scheduled', { nextRunAt: waiting ?? nextOccurrence(schedule, now) }, []);
  }
  if (schedule.type === 'at') {
    const occurrence = new Date(schedule.at);
    return occurrence > now
      ? change('scheduled', { nextRunAt: occurrence }, [])
      : change('running', {}, ['nextRunAt'], { occurrence });
  }
  return refuse('invalid_transition', 'this campaign has no run to resume');
}

export function isRefusal(plan: PlannedChange | Refusal): plan is Refusal {
  return 'refused' in plan;
}
