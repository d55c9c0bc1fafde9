/**
 * The send loop of one Page, run by the worker that holds the Page's lease
 * (SPEC §4, §8). For each active run of the Page it takes recipients from the
 * segment in _id order, decides eligibility now, renders, claims the delivery
 * (an insert, so nothing is sent twice), calls the Send API within the Page's
 * rate and the campaign's, and records the outcome. Claims and outcomes are
 * batched inserts; only the run's small progress document is updated.
 *
 * Recipients are claimed in the order they are taken (seq), and the checkpoint
 * is the highest seq below which every recipient has a stored final record. A
 * worker that takes the Page over reads only the claims past the checkpoint.
 */
import { Logger } from '@nestjs/common';
import { setImmediate, setTimeout as sleep } from 'node:timers/promises';
import type { StoredUser } from '../audience/users.repository';
import type { StoredCampaign } from '../campaigns/campaign-changes.service';
import { ApiError } from '../common/api-error';
import { tokenKindOf } from '../campaigns/delivery-policy';
import { eligibilityOf } from '../campaigns/eligibility';
import {
  campaignSendBody,
  compiledMessage,
  personalisationScope,
} from '../campaigns/campaign-message';
import { renderMessage, type Rendered } from '../campaigns/personalisation';
import type { GraphFailure } from '../messenger/graph-errors';
import type { PageCredentials } from '../messenger/messenger-client.service';
import type { SendApiMessage, SendMessageBody } from '../messenger/payloads';
import { slowdownFor } from '../messenger/usage-headers';
import { outcomeOfSend } from '../tokens/token-rules';
import { deliveryKey, type Delivery, type DeliveryOutcome } from './delivery.schema';
import type { EngineSeams, RunProgress, StoredRun } from './engine-seams';
import type { HeldLease } from './page-leases';
import { SendRateLimiter } from './rate-limiter';
import { WindowCap } from './window-cap';

/** A Page's pace in this worker: paced slots before claims, and the hard cap at the wire. */
export interface PagePace {
  limiter: SendRateLimiter;
  cap: WindowCap;
  /** The caps' margin over a second, this worker's scheduling delay (scheduling-delay.ts). */
  marginMs: () => number;
}
import { retryDelay } from './retry-policy';

export const CHUNK_SIZE = 1000;
/** Recipients waiting for a retry at most, before the loop stops taking new ones. */
const MAX_WAITING_RETRIES = 1000;
/** Recipients of one Page between being taken and having their final record stored, at most (memory). */
const MAX_TASKS = 500;
const YIELD_EVERY = 100;
const CREDENTIALS_MAX_AGE_MS = 5_000;
/** A run's progress is stored at most this often (and when it ends): twenty Pages, ten small updates a second. */
const PROGRESS_EVERY_MS = 2_000;
/**
 * Recipients read ahead when a run is picked up. A segment that ends within them
 * is counted by its own cursor; only a larger one is counted, with a scan of the
 * users on engines without the index (FerretDB), while sending goes on. So twenty
 * Pages starting at once do not scan together for counts.
 */
const READ_AHEAD = 500;

type OutcomeFields = Pick<DeliveryOutcome, 'status' | 'retryable' | 'attempts'> &
  Partial<Pick<DeliveryOutcome, 'reason' | 'messageId' | 'error' | 'sentAt'>>;

/**
 * Claimed, not called (again): the Page failed first. retry-failed sends it once the
 * cause is gone; `attempts` counts the calls made before, which Facebook refused.
 */
const unsentAfterPageFatal = (attempts: number): OutcomeFields => ({
  status: 'failed',
  reason: 'page_fatal_unsent',
  retryable: true,
  attempts,
});

/** One run of the Page, in one round, as this worker sends it. */
class RunInProgress {
  readonly runId: string;
  readonly limiter: SendRateLimiter;
  readonly cap: WindowCap;
  /** Compiled again when the campaign's message version changes (edited while paused). */
  compiled: SendApiMessage;
  recipients!: AsyncIterator<StoredUser>;
  /** Seqs past the checkpoint: their user, and whether their final record is stored. */
  private readonly open = new Map<number, { userId: string; final: boolean }>();
  nextSeq = 0;
  /** Every recipient up to this seq has a stored final record. */
  checkpoint = -1;
  checkpointUserId?: string;
  exhausted = false;
  done = 0;
  failed = 0;
  total = 0;
  audience = 0;
  counted = false;
  /** Whether the segment's count was asked for (the cursor may end first). */
  counting = false;
  /** A retry round's candidates: PSID → the outcome being retried. */
  retrying?: Map<string, { status: string; reason?: string }>;
  /** When its progress was last stored. */
  savedAt = 0;
  /** A token policy's holders of a usable token of the topic, read once when the run is picked up. */
  tokenHolders?: Set<string>;

  constructor(
    public campaign: StoredCampaign,
    readonly run: StoredRun,
    readonly round: number,
    marginMs: () => number,
  ) {
    this.runId = String(run._id);
    this.limiter = new SendRateLimiter(campaign.ratePerSecond);
    this.cap = new WindowCap(campaign.ratePerSecond, marginMs);
    this.compiled = compiledMessage(campaign);
  }

  get sending(): boolean {
    return this.campaign.status === 'running';
  }

  /** Recipients taken whose final record is not stored yet. */
  get unfinished(): number {
    return (
      this.nextSeq - 1 - this.checkpoint - [...this.open.values()].filter((o) => o.final).length
    );
  }

  take(user: StoredUser): number {
    const seq = this.nextSeq++;
    this.open.set(seq, { userId: String(user._id), final: false });
    return seq;
  }

  /** The recipient's final record is stored: the checkpoint moves over every final one in a row. */
  finish(seq: number): void {
    const entry = this.open.get(seq);
    if (entry) entry.final = true;
    this.done += 1;
    for (
      let next = this.open.get(this.checkpoint + 1);
      next?.final;
      next = this.open.get(this.checkpoint + 1)
    ) {
      this.open.delete(this.checkpoint + 1);
      this.checkpoint += 1;
      this.checkpointUserId = next.userId;
    }
  }

  private sample = { at: performance.now(), done: 0 };
  private measuredRate = 0;

  progress(): Omit<RunProgress, 'updatedAt'> {
    // The rate is measured over at least a second, so a dashboard shows what really goes out.
    const seconds = (performance.now() - this.sample.at) / 1000;
    if (seconds >= 1) {
      this.measuredRate = Math.round(((this.done - this.sample.done) / seconds) * 10) / 10;
      this.sample = { at: performance.now(), done: this.done };
    }
    return {
      round: this.round,
      checkpointSeq: this.checkpoint,
      checkpointUserId: this.checkpointUserId,
      done: this.done,
      failed: this.failed,
      total: Math.max(this.total, this.done),
      audience: this.round === 0 ? Math.max(this.total, this.done) : this.audience,
      counted: this.counted,
      ratePerSecond: this.measuredRate,
    };
  }
}

export class PageSender {
  private readonly logger = new Logger(PageSender.name);
  private readonly runs = new Map<string, RunInProgress>();
  private readonly tasks = new Set<Promise<void>>();
  private inFlight = 0;
  private waitingRetries = 0;
  private turn = 0;
  private dispatched = 0;
  private stopped = false;
  private pageFatal = false;
  private sentOnce = false;
  /** Read again every few seconds, so a rotated token takes effect soon after. */
  private credentials?: PageCredentials;
  private credentialsReadAt = 0;
  private waiters: (() => void)[] = [];

  /**
   * The Page's pace outlives this sender: the worker keeps one per Page, so it carries over.
   * So do the rounds the worker finished (`runId:round`): the shared campaigns read may
   * still list one as running for a moment, and picking it up again would read its claims,
   * its outcomes and its whole segment back for nothing.
   */
  constructor(
    private readonly seams: EngineSeams,
    private readonly lease: HeldLease,
    private readonly pace: PagePace,
    private readonly finished: Set<string>,
  ) {}

  private get pageLimiter(): SendRateLimiter {
    return this.pace.limiter;
  }

  get pageId(): string {
    return this.lease.pageId;
  }

  /** Sends until the Page has no run to send, the lease lapses, or stop() is called. */
  async run(): Promise<void> {
    const { refreshMs } = this.seams.config;
    let refreshedAt = -Infinity;
    const quiet = this.lease.quietUntil - this.seams.clock.now().getTime();
    if (quiet > 0) await sleep(quiet);
    // Renewed on a timer of its own, so a slow start (a first scan of a large segment) never lets it lapse.
    const renewal = this.renewLease();
    try {
      while (!this.stopped && this.seams.leases.isValid(this.lease)) {
        if (performance.now() - refreshedAt >= refreshMs) {
          refreshedAt = performance.now();
          if (!(await this.refreshRuns())) break;
          await this.settle();
        }
        const next = await this.nextRecipient();
        if (next) {
          await this.dispatch(next.progress, next.user);
          // Skips need no timer: yield now and then so other work (health, API) is served.
          if (++this.dispatched % YIELD_EVERY === 0) await setImmediate();
          continue;
        }
        await this.settle();
        await this.idle(refreshMs);
      }
      if (!this.stopped && !this.seams.leases.isValid(this.lease))
        this.logger.warn(`the lease of Page ${this.pageId} lapsed; another worker may take it`);
    } finally {
      this.stopped = true;
      clearInterval(renewal);
      await Promise.allSettled([...this.tasks]);
      await this.seams.store.drain();
      for (const progress of this.runs.values())
        await this.seams.store.saveProgress(progress.runId, progress.progress());
    }
  }

  /** Renews the lease every quarter of its life; a failed renewal stops the sender at once. */
  private renewLease(): NodeJS.Timeout {
    const { leaseTtlMs } = this.seams.config;
    let renewing = false;
    return setInterval(() => {
      if (renewing) return;
      renewing = true;
      this.seams.leases
        .renew(this.lease, leaseTtlMs)
        .then((held) => {
          if (!held) this.stop();
        })
        .catch((error: unknown) => {
          // The database is unreachable: keep trying until the lease's own time runs out.
          this.logger.warn(`lease of Page ${this.pageId} not renewed: ${describe(error)}`);
        })
        .finally(() => (renewing = false));
    }, leaseTtlMs / 4);
  }

  stop(): void {
    this.stopped = true;
    this.wake();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }

  /** Loads the Page's campaigns with an active run; false when none is left to send or finish. */
  private async refreshRuns(): Promise<boolean> {
    // Shared with the other Pages' senders for half a refresh: a pause is seen within one and a half.
    const campaigns = await this.seams.store.campaignsWithActiveRun(
      this.pageId,
      this.seams.config.refreshMs / 2,
    );
    if (!this.credentials || performance.now() - this.credentialsReadAt > CREDENTIALS_MAX_AGE_MS) {
      this.credentials = await this.seams.credentials(this.pageId);
      this.credentialsReadAt = performance.now();
    }
    for (const campaign of campaigns) {
      const runId = campaign.activeRunId!;
      const round = campaign.activeRound ?? 0;
      if (this.finished.has(`${runId}:${round}`)) continue;
      const known = this.runs.get(runId);
      if (known?.round === round) {
        if (campaign.messageVersion !== known.campaign.messageVersion)
          known.compiled = compiledMessage(campaign);
        known.campaign = campaign;
        known.limiter.setRate(campaign.ratePerSecond);
        known.cap.setLimit(campaign.ratePerSecond);
      } else {
        const run = await this.seams.store.findRun(runId);
        if (run) await this.pickUp(campaign, run, round);
      }
    }
    for (const [runId, progress] of this.runs) {
      if (!campaigns.some((campaign) => campaign.activeRunId === runId)) this.runs.delete(runId);
      else if (progress.campaign.status === 'cancelled') await this.cancelRest(progress);
    }
    const sending = [...this.runs.values()].filter((progress) => progress.sending);
    // Campaigns of one Page share the Page's rate: the highest any of them asks for.
    if (sending.length > 0) {
      this.pageLimiter.setRate(Math.max(...sending.map((p) => p.campaign.ratePerSecond)));
      this.pace.cap.setLimit(this.pageLimiter.rate);
    }
    return sending.length > 0 && !this.pageFatal;
  }

  /** Starts sending a run; a stored message that breaks today's rules pauses its campaign instead. */
  private async pickUp(campaign: StoredCampaign, run: StoredRun, round: number): Promise<void> {
    try {
      this.runs.set(String(run._id), await this.resume(campaign, run, round));
    } catch (error) {
      if (!(error instanceof ApiError) || error.getStatus() !== 409) throw error;
      await this.seams.pause(campaign, `message_invalid: ${error.message}`);
    }
  }

  /**
   * Picks a run up where its last holder left it: claims of this round past the
   * checkpoint without an outcome were maybe sent, so they become `unknown` (never
   * re-sent silently); the segment is then read on after the last claimed user.
   */
  private async resume(
    campaign: StoredCampaign,
    run: StoredRun,
    round: number,
  ): Promise<RunInProgress> {
    const { store } = this.seams;
    const progress = new RunInProgress(campaign, run, round, this.pace.marginMs);
    const saved = run.progress?.round === round ? run.progress : undefined;
    progress.checkpoint = saved?.checkpointSeq ?? -1;
    progress.checkpointUserId = saved?.checkpointUserId;
    progress.failed = saved?.failed ?? 0;
    // A round no holder has picked up yet has no claims: nothing to read back.
    const claims = saved ? await store.claimsAfter(progress.runId, round, progress.checkpoint) : [];
    const recorded = claims.length
      ? await store.outcomeIdsAfter(progress.runId, round, progress.checkpoint)
      : new Set<string>();
    const lost = claims
      .filter((claim) => !claim.skipReason && !recorded.has(claim._id))
      .map((claim) =>
        this.outcome(progress, claim, {
          status: 'unknown',
          reason: 'interrupted',
          retryable: true,
          attempts: 1,
        }),
      );
    await store.insertOutcomes(lost);
    this.seams.metrics.recovered(lost.length);
    for (const claim of claims) {
      if (claim.seq > progress.checkpoint) {
        progress.checkpoint = claim.seq;
        progress.checkpointUserId = claim.userId;
      }
    }
    progress.nextSeq = progress.checkpoint + 1;
    progress.done = progress.nextSeq;
    if (round > 0) progress.retrying = await store.retryCandidates(progress.runId, round);
    const kind = tokenKindOf(campaign.delivery);
    if (kind && 'topic' in campaign.delivery)
      progress.tokenHolders = await this.seams.tokens.holders(
        this.pageId,
        kind,
        campaign.delivery.topic,
      );
    progress.total = saved?.total ?? progress.retrying?.size ?? 0;
    progress.audience = run.progress?.audience ?? progress.total;
    progress.counted = Boolean(saved?.counted || progress.retrying);
    const segment = store.segmentAfter(run, progress.checkpointUserId)[Symbol.asyncIterator]();
    const ahead: StoredUser[] = [];
    let ended = false;
    while (!ended && ahead.length < READ_AHEAD) {
      const next = await segment.next();
      if (next.done) ended = true;
      else ahead.push(next.value);
    }
    progress.recipients = (async function* () {
      yield* ahead;
      if (!ended) yield* { [Symbol.asyncIterator]: () => segment };
    })();
    if (!ended) this.countAudience(progress);
    else if (!progress.counted) {
      // The whole (rest of the) segment is in hand: those taken before, and these.
      progress.total = progress.audience = progress.nextSeq + ahead.length;
      progress.counted = true;
    }
    await store.saveProgress(progress.runId, progress.progress());
    return progress;
  }

  /** The next recipient of the runs being sent, taking the runs in turn. */
  private async nextRecipient(): Promise<
    { progress: RunInProgress; user: StoredUser } | undefined
  > {
    if (this.waitingRetries >= MAX_WAITING_RETRIES || this.pageFatal) return undefined;
    const runs = [...this.runs.values()];
    this.turn += 1;
    for (let index = 0; index < runs.length; index += 1) {
      const progress = runs[(this.turn + index) % runs.length];
      const user = progress.sending ? await this.nextUser(progress) : undefined;
      if (user) return { progress, user };
    }
    return undefined;
  }

  private async nextUser(progress: RunInProgress): Promise<StoredUser | undefined> {
    while (!progress.exhausted) {
      const next = await progress.recipients.next();
      if (next.done) {
        progress.exhausted = true;
        // Every recipient of the round is taken: their number is the audience (read ahead, or before the count).
        if (!progress.counted) {
          progress.total = progress.audience = progress.nextSeq;
          progress.counted = true;
        }
      } else if (!progress.retrying || progress.retrying.has(next.value.psid)) return next.value;
    }
    return undefined;
  }

  /** Counts a large segment once, while sending goes on (the count is a scan). */
  private countAudience(progress: RunInProgress): void {
    if (progress.counted || progress.counting) return;
    progress.counting = true;
    this.seams.store
      .audienceSize(progress.run)
      .then((size) => {
        if (progress.counted) return;
        progress.total = progress.audience = size;
        progress.counted = true;
      })
      .catch((error: unknown) =>
        this.logger.warn(`run ${progress.runId} not counted: ${describe(error)}`),
      );
  }

  /** Takes one recipient: a skip is recorded at once; a send waits for its slot, then runs concurrently. */
  private async dispatch(progress: RunInProgress, user: StoredUser): Promise<void> {
    while (this.tasks.size >= MAX_TASKS) await this.nextSettled();
    const { campaign } = progress;
    const seq = progress.take(user);
    const now = this.seams.clock.now();
    const claim = this.claim(progress, user, seq, now);
    const verdict = eligibilityOf(user, campaign.delivery, {
      now,
      appId: this.seams.config.appId,
      hasToken: progress.tokenHolders?.has(user.psid) ?? false,
    });
    if (verdict !== 'eligible') return this.track(progress, { ...claim, skipReason: verdict });
    const rendered = await this.render(progress, user);
    if (!rendered.ok) {
      return this.track(progress, claim, () =>
        Promise.resolve({
          status: 'failed',
          reason: rendered.reason,
          retryable: false,
          attempts: 0,
          error: { message: rendered.detail },
        }),
      );
    }
    const body = campaignSendBody(campaign, user.psid, rendered.message);
    await this.slot(progress);
    // The lease may have lapsed, or the Page failed, while waiting: then this recipient
    // stays unclaimed for the next holder.
    if (this.stopped || this.pageFatal || !this.seams.leases.isValid(this.lease))
      return this.stop();
    this.track(progress, claim, async () =>
      tokenKindOf(campaign.delivery)
        ? this.sendToToken(progress, body, claim)
        : (await this.send(progress, body, user.psid)).fields,
    );
  }

  /**
   * The user's message. The budget is wall-clock time, which a GC pause or a busy
   * machine can eat: a timeout is tried once more before it counts as the template's.
   */
  private async render(progress: RunInProgress, user: StoredUser): Promise<Rendered> {
    const scope = personalisationScope(user, progress.campaign);
    const first = renderMessage(progress.compiled, scope);
    if (first.ok || first.reason !== 'render_timeout') return first;
    await setImmediate();
    return renderMessage(progress.compiled, scope);
  }

  /** Waits for the Page's rate, the campaign's, and a free concurrency slot. */
  private async slot(progress: RunInProgress): Promise<void> {
    const started = performance.now();
    await this.pageLimiter.acquire();
    await progress.limiter.acquire();
    this.seams.metrics.rateLimitWait(performance.now() - started);
    while (this.inFlight >= this.seams.config.concurrencyPerPage) await this.nextSettled();
  }

  private claim(progress: RunInProgress, user: StoredUser, seq: number, now: Date): Delivery {
    const previous = progress.retrying?.get(user.psid);
    return {
      _id: deliveryKey(progress.runId, user.psid, progress.round),
      runId: progress.runId,
      campaignId: String(progress.campaign._id),
      pageId: this.pageId,
      psid: user.psid,
      round: progress.round,
      seq,
      chunk: Math.floor(seq / CHUNK_SIZE),
      userId: String(user._id),
      claimedAt: now,
      ...(previous ? { previousStatus: previous.status, previousReason: previous.reason } : {}),
    };
  }

  /**
   * Stores the claim (before any call), then sends and stores the outcome. A claim
   * that exists already was taken by an earlier holder: it is left alone. A skip
   * (no `send`) is final with its claim.
   */
  private track(
    progress: RunInProgress,
    claim: Delivery,
    send?: () => Promise<OutcomeFields>,
  ): void {
    // A concurrency slot is held from the claim to Facebook's answer, not while the outcome is stored.
    let holding = Boolean(send);
    const release = () => {
      if (holding) this.changeInFlight(-1);
      holding = false;
    };
    if (holding) this.changeInFlight(1);
    const task = (async () => {
      const claimed = await this.seams.store.claim(claim);
      if (claimed === 'stored' && send) {
        const fields = await send();
        release();
        await this.seams.store.recordOutcome(this.outcome(progress, claim, fields));
        this.seams.metrics.outcome(fields.status, fields.reason);
      } else if (claimed === 'stored') {
        this.seams.metrics.outcome('skipped', claim.skipReason);
      }
      progress.finish(claim.seq);
    })()
      .catch((error: unknown) => {
        // Left open: the next holder finds the claim without an outcome and records it `unknown`.
        this.logger.error(`delivery ${claim._id} not recorded: ${describe(error)}`);
        this.stop();
      })
      .finally(() => {
        release();
        this.tasks.delete(task);
        this.wake();
      });
    this.tasks.add(task);
  }

  /**
   * A token policy (SPEC §3): the user's token is claimed by an insert keyed by the
   * delivery before the call, so it is never used twice, sent to, and settled with
   * what Facebook answered (an OTN is spent whatever happened).
   */
  private async sendToToken(
    progress: RunInProgress,
    body: SendMessageBody,
    delivery: Pick<Delivery, '_id' | 'psid'>,
  ): Promise<OutcomeFields> {
    const { campaign } = progress;
    const kind = tokenKindOf(campaign.delivery)!;
    const topic = 'topic' in campaign.delivery ? campaign.delivery.topic : '';
    // The Page failed while the delivery's claim was stored: keep the user's token.
    if (this.pageFatal) return unsentAfterPageFatal(0);
    const token = await this.seams.tokens.claim(
      this.pageId,
      delivery.psid,
      kind,
      topic,
      delivery._id,
    );
    if (!token.claimed)
      return { status: 'skipped', reason: token.reason, retryable: false, attempts: 0 };
    const sent = await this.send(progress, { ...body, recipient: token.recipient }, delivery.psid);
    // Not called after a Page-fatal answer: a token claim cannot be taken back, so it is
    // settled `unknown` (never used again), not `consumed` as if the message went out.
    await this.seams.tokens.settle(
      token,
      sent.unsent ? 'unknown' : outcomeOfSend(kind, sent.failure),
    );
    return sent.fields;
  }

  /** One recipient through the Send API, retrying retryable failures with backoff; what to record. */
  private async send(
    progress: RunInProgress,
    body: SendMessageBody,
    psid: string,
  ): Promise<{ fields: OutcomeFields; failure?: GraphFailure; unsent?: true }> {
    for (let attempt = 1; ; attempt += 1) {
      await WindowCap.passAll([this.pace.cap, progress.cap]);
      // The Page failed while this claim was stored or paced: no call at all after that.
      if (this.pageFatal) return { fields: unsentAfterPageFatal(attempt - 1), unsent: true };
      const result = await this.seams.messenger.sendMessage(this.credentials!, body);
      const throttled = !result.ok && result.failure.effect === 'throttled';
      const slowdown = slowdownFor({ usage: result.usage, throttled });
      if (slowdown) this.pageLimiter.slowDown(slowdown.factor, slowdown.forMs);
      if (result.ok) {
        // Once the Page failed fatally, a late success of an earlier send does not make it healthy.
        if (!this.sentOnce && !this.pageFatal) {
          this.sentOnce = true;
          await this.seams.pageHealthy(this.pageId);
        }
        return {
          fields: {
            status: 'sent',
            retryable: false,
            attempts: attempt,
            messageId: result.value.messageId,
            sentAt: this.seams.clock.now(),
          },
        };
      }
      const delay =
        result.failure.class === 'retryable'
          ? retryDelay(this.seams.config.retry, attempt)
          : undefined;
      if (delay === undefined || this.stopped) {
        const fields = await this.failed(progress, result.failure, attempt, psid);
        return { fields, failure: result.failure };
      }
      await this.backOff(progress, delay);
    }
  }

  /** Waits out a retry delay without holding a concurrency slot, then takes a new slot. */
  private async backOff(progress: RunInProgress, delayMs: number): Promise<void> {
    this.changeInFlight(-1);
    this.waitingRetries += 1;
    try {
      await sleep(delayMs);
      await this.slot(progress);
    } finally {
      this.waitingRetries -= 1;
      this.changeInFlight(1);
    }
  }

  /** What a failure means for the recipient, the campaign and the Page (SPEC §4). */
  private async failed(
    progress: RunInProgress,
    failure: GraphFailure,
    attempts: number,
    psid: string,
  ): Promise<OutcomeFields> {
    const error = {
      code: failure.code,
      subcode: failure.subcode,
      message: failure.message,
      class: failure.class,
      fbtraceId: failure.fbtraceId,
    };
    if (failure.class === 'page_fatal' && !this.pageFatal) {
      this.pageFatal = true;
      await this.seams.pageFatal(this.pageId, failure);
    }
    if (failure.effect === 'suppress_user')
      await this.seams.suppress(this.pageId, psid, failure.reason);
    if (failure.class === 'ambiguous')
      return { status: 'unknown', reason: failure.reason, retryable: true, attempts, error };
    // Facebook's word that the user cannot get it now: a skip, like the ones decided before calling.
    if (['window_closed', 'frequency', 'thread_owned'].includes(failure.effect))
      return { status: 'skipped', reason: failure.reason, retryable: false, attempts, error };
    progress.failed += 1;
    const { maxErrors } = progress.campaign;
    if (maxErrors > 0 && progress.failed === maxErrors + 1)
      await this.seams.pause(progress.campaign, `max_errors: more than ${maxErrors} failures`);
    // A retryable or Page-fatal failure can be sent again by retry-failed once the cause is gone.
    const retryable = failure.class !== 'permanent';
    return { status: 'failed', reason: failure.reason, retryable, attempts, error };
  }

  private outcome(
    progress: RunInProgress,
    claim: Pick<Delivery, '_id' | 'psid' | 'seq'>,
    fields: OutcomeFields,
  ): DeliveryOutcome {
    return {
      _id: claim._id,
      runId: progress.runId,
      campaignId: String(progress.campaign._id),
      pageId: this.pageId,
      psid: claim.psid,
      round: progress.round,
      seq: claim.seq,
      recordedAt: this.seams.clock.now(),
      ...fields,
    };
  }

  /** Stores progress; a run whose recipients are all taken and final is finished. */
  private async settle(): Promise<void> {
    for (const progress of this.runs.values()) {
      const finished = progress.sending && progress.exhausted && progress.unfinished === 0;
      if (finished || performance.now() - progress.savedAt >= PROGRESS_EVERY_MS) {
        await this.seams.store.saveProgress(progress.runId, progress.progress());
        progress.savedAt = performance.now();
      }
      if (finished)
        this.forget(progress, await this.seams.finishRun(progress.campaign, progress.runId));
    }
  }

  /** A cancelled campaign: everyone not yet taken is skipped with reason `cancelled`, without calls. */
  private async cancelRest(progress: RunInProgress): Promise<void> {
    for (let user = await this.nextUser(progress); user; user = await this.nextUser(progress)) {
      const seq = progress.take(user);
      const claim = this.claim(progress, user, seq, this.seams.clock.now());
      this.track(progress, { ...claim, skipReason: 'cancelled' });
    }
    while (progress.unfinished > 0) await this.nextSettled();
    await this.seams.store.saveProgress(progress.runId, progress.progress());
    this.forget(progress, await this.seams.finishRun(progress.campaign, progress.runId));
  }

  /** The round is done here; once its campaign moved on, it is never picked up again. */
  private forget(progress: RunInProgress, ended: boolean): void {
    this.runs.delete(progress.runId);
    if (ended) this.finished.add(`${progress.runId}:${progress.round}`);
  }

  private changeInFlight(delta: number): void {
    this.inFlight += delta;
    this.seams.metrics.inFlight(delta);
  }

  /** Resolves when any task settles (or stop() is called). */
  private nextSettled(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Waits up to `ms` for something to change: a task settling or stop(). */
  private async idle(ms: number): Promise<void> {
    await Promise.race([sleep(ms), this.nextSettled()]);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
