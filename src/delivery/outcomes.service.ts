/**
 * What campaigns did (SPEC §1.6, §9): stats counted by $group over the delivery
 * records, the per-recipient list and its CSV export, retry-failed, and delivery
 * and read receipts, which are stored as records and matched when counted.
 *
 * A recipient's status is its latest round's: a retry round's claim names the
 * status it replaces (previousStatus), which the counts take back out.
 */
import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { isValidObjectId, type Model } from 'mongoose';
import type { StoredCampaign } from '../campaigns/campaign-changes.service';
import { CampaignChangesService } from '../campaigns/campaign-changes.service';
import { CampaignRun } from '../campaigns/campaign.schema';
import { ApiError } from '../common/api-error';
import { Clock } from '../common/clock';
import { csvRow } from './csv-cells';
import {
  Delivery,
  DeliveryOutcome,
  DeliveryReceipt,
  OUTCOME_STATUSES,
  type OutcomeStatus,
} from './delivery.schema';
import { DeliveryStore } from './delivery-store';
import type { StoredRun } from './engine-seams';

export interface CampaignStats {
  status: string;
  runId?: string;
  /** Null while a run's segment is still being counted (sending does not wait for it). */
  audience: number | null;
  pending: number | null;
  sent: number;
  delivered: number;
  read: number;
  failed: number;
  skipped: number;
  unknown: number;
  byReason: Record<string, number>;
  /** The same reasons split by the status they led to. */
  reasonsByStatus: Record<'failed' | 'skipped' | 'unknown', Record<string, number>>;
  progress: {
    done: number;
    total: number | null;
    ratePerSecond: number;
    etaSeconds: number | null;
    startedAt?: Date;
    finishedAt: Date | null;
  };
}

export interface DeliveryView {
  psid: string;
  status: OutcomeStatus | 'sending';
  reason?: string;
  messageId?: string;
  error?: Record<string, unknown>;
  attempts: number;
  round: number;
  claimedAt: Date;
  sentAt?: Date;
  deliveredAt?: Date;
  readAt?: Date;
}

export interface DeliveryFilter {
  status?: string;
  reason?: string;
  /** The recipients whose PSID starts with these digits. */
  psid?: string;
}

export const DELIVERY_CSV_COLUMNS = [
  'psid',
  'status',
  'reason',
  'messageId',
  'errorCode',
  'errorSubcode',
  'attempts',
  'round',
  'claimedAt',
  'sentAt',
  'deliveredAt',
  'readAt',
] as const;

/** Receipts of one PSID: everything sent at or before a watermark is delivered (read). */
interface PsidReceipts {
  delivered?: Date;
  read?: Date;
  mids: Set<string>;
}

type Group = { _id: Record<string, unknown>; count: number };

@Injectable()
export class OutcomesService {
  constructor(
    @InjectModel(Delivery.name) private readonly deliveries: Model<Delivery>,
    @InjectModel(DeliveryOutcome.name) private readonly outcomes: Model<DeliveryOutcome>,
    @InjectModel(DeliveryReceipt.name) private readonly receipts: Model<DeliveryReceipt>,
    @InjectModel(CampaignRun.name) private readonly runs: Model<CampaignRun>,
    private readonly store: DeliveryStore,
    private readonly changes: CampaignChangesService,
    private readonly clock: Clock,
  ) {}

  async campaign(campaignId: string): Promise<StoredCampaign> {
    const campaign = isValidObjectId(campaignId) ? await this.store.findCampaign(campaignId) : null;
    if (!campaign) throw ApiError.notFound(`campaign ${campaignId}`);
    return campaign;
  }

  /** The campaign's run `runId`, or its latest. */
  async run(campaign: StoredCampaign, runId?: string): Promise<StoredRun | undefined> {
    const campaignId = String(campaign._id);
    if (runId) {
      const run = isValidObjectId(runId) ? await this.store.findRun(runId) : null;
      if (!run || run.campaignId !== campaignId)
        throw ApiError.notFound(`run ${runId} of campaign ${campaignId}`);
      return run;
    }
    const latest = await this.runs
      .findOne({ campaignId })
      .sort({ occurrence: -1 })
      .lean<StoredRun>();
    return latest ?? undefined;
  }

  /** Counts for the campaign (every run) or one run; sent ⊇ delivered ⊇ read, the rest exclusive. */
  async stats(campaign: StoredCampaign, runId?: string): Promise<CampaignStats> {
    const campaignId = String(campaign._id);
    const runs = runId
      ? [(await this.run(campaign, runId))!]
      : await this.runs.find({ campaignId }).lean<StoredRun[]>();
    const match = runId ? { runId } : { campaignId };
    const counts: Record<OutcomeStatus, number> = { sent: 0, failed: 0, skipped: 0, unknown: 0 };
    const byReason: Record<string, number> = {};
    const reasonsByStatus: CampaignStats['reasonsByStatus'] = {
      failed: {},
      skipped: {},
      unknown: {},
    };
    const add = (status: OutcomeStatus, reason: unknown, count: number) => {
      counts[status] += count;
      if (status === 'sent' || typeof reason !== 'string' || !reason) return;
      byReason[reason] = (byReason[reason] ?? 0) + count;
      reasonsByStatus[status][reason] = (reasonsByStatus[status][reason] ?? 0) + count;
    };
    for (const group of await this.group(this.deliveries, match, {
      skip: '$skipReason',
      previous: '$previousStatus',
      previousReason: '$previousReason',
    })) {
      const { skip, previous, previousReason } = group._id;
      if (typeof skip === 'string') add('skipped', skip, group.count);
      if (isOutcomeStatus(previous)) add(previous, previousReason, -group.count);
    }
    for (const group of await this.group(this.outcomes, match, {
      status: '$status',
      reason: '$reason',
    })) {
      if (isOutcomeStatus(group._id.status)) add(group._id.status, group._id.reason, group.count);
    }
    for (const reasons of [byReason, ...Object.values(reasonsByStatus)])
      for (const [reason, count] of Object.entries(reasons))
        if (count === 0) delete reasons[reason];
    const counted = runs.every((run) => run.progress?.counted !== false && run.progress);
    const audience = counted
      ? runs.reduce((sum, run) => sum + (run.progress?.audience ?? 0), 0)
      : null;
    const finished = counts.sent + counts.failed + counts.skipped + counts.unknown;
    const { delivered, read } = await this.receiptCounts(runs, match);
    const active = runs.find((run) => String(run._id) === campaign.activeRunId);
    const rate = active?.progress?.ratePerSecond ?? 0;
    const latest = runs.reduce<StoredRun | undefined>(
      (last, run) => (!last || run.occurrence > last.occurrence ? run : last),
      undefined,
    );
    const pending = audience === null ? null : Math.max(0, audience - finished);
    return {
      status: campaign.status,
      ...(runId ? { runId } : {}),
      audience,
      pending,
      ...counts,
      delivered,
      read,
      byReason,
      reasonsByStatus,
      progress: {
        done: finished,
        total: audience === null ? null : Math.max(audience, finished),
        ratePerSecond: rate,
        etaSeconds: pending === 0 ? 0 : pending && rate > 0 ? Math.ceil(pending / rate) : null,
        startedAt: latest?.createdAt,
        finishedAt: latest?.finishedAt ?? null,
      },
    };
  }

  /** A page of the run's recipients in PSID order, after `cursor`, matching the filter. */
  async list(
    run: StoredRun,
    filter: DeliveryFilter,
    limit: number,
    cursor?: string,
  ): Promise<{ items: DeliveryView[]; nextCursor: string | null }> {
    const items: DeliveryView[] = [];
    const receipts = await this.receiptsFor([run]);
    const range = keyRange(String(run._id), filter.psid);
    let after = cursor ?? range.after;
    // Bounded passes: a rare status must not make one request read the whole run.
    for (let pass = 0; pass < 20; pass += 1) {
      const slice = await this.slice(String(run._id), after, 500, range.before);
      for (const [index, { key, view }] of slice.entries.entries()) {
        after = key;
        if (!matches(view, filter)) continue;
        items.push(withReceipts(view, receipts.get(view.psid)));
        const last = slice.exhausted && index === slice.entries.length - 1;
        if (items.length === limit) return { items, nextCursor: last ? null : key };
      }
      if (slice.exhausted) return { items, nextCursor: null };
    }
    return { items, nextCursor: after ?? null };
  }

  /** Every recipient of the run as CSV lines, header first, streamed slice by slice. */
  async *csv(run: StoredRun, filter: DeliveryFilter): AsyncGenerator<string> {
    yield csvRow(DELIVERY_CSV_COLUMNS);
    const receipts = await this.receiptsFor([run]);
    const range = keyRange(String(run._id), filter.psid);
    let after = range.after;
    for (;;) {
      const slice = await this.slice(String(run._id), after, 1000, range.before);
      for (const { key, view } of slice.entries) {
        after = key;
        if (!matches(view, filter)) continue;
        const v = withReceipts(view, receipts.get(view.psid));
        yield csvRow([
          v.psid,
          v.status,
          v.reason,
          v.messageId,
          v.error?.code as number | undefined,
          v.error?.subcode as number | undefined,
          v.attempts,
          v.round,
          v.claimedAt,
          v.sentAt,
          v.deliveredAt,
          v.readAt,
        ]);
      }
      if (slice.exhausted) return;
    }
  }

  /** Sends the run's unknown and retryable failures again, as the run's next round. */
  async retryFailed(campaign: StoredCampaign, runId?: string) {
    const run = await this.run(campaign, runId);
    if (!run)
      throw ApiError.conflict('no_run', 'the campaign has no run yet', { status: campaign.status });
    const round = run.progress?.round ?? 0;
    const requeued = await this.outcomes.countDocuments({
      runId: String(run._id),
      round,
      retryable: true,
    });
    if (requeued === 0)
      throw ApiError.conflict(
        'nothing_to_retry',
        'the run has no failed or unknown delivery to retry',
        {
          status: campaign.status,
        },
      );
    const after = await this.changes.apply(campaign, {
      kind: 'retry_failed',
      runId: String(run._id),
      round: round + 1,
    });
    return { status: after!.status, runId: String(run._id), round: round + 1, requeued };
  }

  /**
   * A delivery or read receipt from the webhook (SPEC §5). Kept as a record, so it
   * counts even when it arrives before the outcome it confirms is stored.
   */
  async applyReceipt(
    pageId: string,
    psid: string,
    receipt: { kind: 'delivered' | 'read'; watermark: Date; mids?: string[] },
  ): Promise<void> {
    await this.receipts.create({
      pageId,
      psid,
      kind: receipt.kind,
      watermark: receipt.watermark,
      mids: receipt.mids ?? [],
      receivedAt: this.clock.now(),
    });
  }

  private async group(
    model: Model<Delivery> | Model<DeliveryOutcome>,
    match: Record<string, unknown>,
    key: Record<string, string>,
  ): Promise<Group[]> {
    return (model as Model<Delivery>).aggregate<Group>([
      { $match: match },
      { $group: { _id: key, count: { $sum: 1 } } },
    ]);
  }

  private async receiptCounts(runs: StoredRun[], match: Record<string, unknown>) {
    const receipts = await this.receiptsFor(runs);
    let delivered = 0;
    let read = 0;
    if (receipts.size === 0) return { delivered, read };
    const sent = this.outcomes
      .find({ ...match, status: 'sent' }, { psid: 1, sentAt: 1, messageId: 1 })
      .lean()
      .cursor();
    for await (const outcome of sent) {
      const state = receiptState(outcome, receipts.get(outcome.psid));
      if (state.deliveredAt) delivered += 1;
      if (state.readAt) read += 1;
    }
    return { delivered, read };
  }

  /** The receipts of the runs' Page since the first of them started, by PSID. */
  private async receiptsFor(runs: StoredRun[]): Promise<Map<string, PsidReceipts>> {
    const byPsid = new Map<string, PsidReceipts>();
    if (runs.length === 0) return byPsid;
    const since = new Date(Math.min(...runs.map((run) => run.createdAt.getTime())));
    const cursor = this.receipts
      // By watermark, or by arrival for a receipt that names its messages (mids).
      .find({
        pageId: runs[0].pageId,
        $or: [{ watermark: { $gte: since } }, { receivedAt: { $gte: since } }],
      })
      .lean()
      .cursor();
    for await (const receipt of cursor) {
      const entry = byPsid.get(receipt.psid) ?? { mids: new Set<string>() };
      if (!entry[receipt.kind] || entry[receipt.kind]! < receipt.watermark)
        entry[receipt.kind] = receipt.watermark;
      for (const mid of receipt.mids) entry.mids.add(mid);
      byPsid.set(receipt.psid, entry);
    }
    return byPsid;
  }

  /**
   * The run's recipients after `after` (a delivery key), joined with their
   * outcomes, each at its latest round; `key` is the recipient's last claim, so
   * the next slice starts after every round of it.
   */
  private async slice(runId: string, after: string, size: number, before: string) {
    const claims = await this.deliveries
      .find({ _id: { $gt: after, $lt: before } })
      .sort({ _id: 1 })
      .limit(size)
      .lean();
    const exhausted = claims.length < size;
    const lastPsid = claims.at(-1)?.psid;
    if (!exhausted && lastPsid) {
      // The slice may have cut a recipient's rounds apart: read the rest of them.
      const rest = await this.deliveries
        .find({ _id: { $gt: claims.at(-1)!._id, $lt: `${runId}:${lastPsid};` } })
        .sort({ _id: 1 })
        .lean();
      claims.push(...rest);
    }
    const first = claims[0]?._id;
    const outcomes = first
      ? await this.outcomes.find({ _id: { $gte: first, $lte: claims.at(-1)!._id } }).lean()
      : [];
    const outcomeByKey = new Map(outcomes.map((outcome) => [outcome._id, outcome]));
    const entries: { key: string; view: DeliveryView }[] = [];
    for (const claim of claims) {
      const entry = { key: claim._id, view: toView(claim, outcomeByKey.get(claim._id)) };
      if (entries.at(-1)?.view.psid === claim.psid) entries[entries.length - 1] = entry;
      else entries.push(entry);
    }
    return { entries, exhausted };
  }
}

/**
 * The delivery keys (`run:psid:round`) of the run, or of its PSIDs starting with
 * `psid`: digits and ':' sort before ';', so `run:psid;` bounds them all.
 */
function keyRange(runId: string, psid?: string): { after: string; before: string } {
  return psid
    ? { after: `${runId}:${psid}`, before: `${runId}:${psid};` }
    : { after: `${runId}:`, before: `${runId};` };
}

function isOutcomeStatus(value: unknown): value is OutcomeStatus {
  return OUTCOME_STATUSES.includes(value as OutcomeStatus);
}

function toView(claim: Delivery, outcome?: DeliveryOutcome): DeliveryView {
  if (claim.skipReason)
    return {
      psid: claim.psid,
      status: 'skipped',
      reason: claim.skipReason,
      attempts: 0,
      round: claim.round,
      claimedAt: claim.claimedAt,
    };
  return {
    psid: claim.psid,
    status: outcome?.status ?? 'sending',
    reason: outcome?.reason,
    messageId: outcome?.messageId,
    error: outcome?.error,
    attempts: outcome?.attempts ?? 0,
    round: claim.round,
    claimedAt: claim.claimedAt,
    sentAt: outcome?.sentAt,
  };
}

function matches(view: DeliveryView, filter: DeliveryFilter): boolean {
  return (
    (!filter.status || view.status === filter.status) &&
    (!filter.reason || view.reason === filter.reason)
  );
}

function receiptState(
  outcome: Pick<DeliveryOutcome, 'sentAt' | 'messageId'>,
  receipts: PsidReceipts | undefined,
): { deliveredAt?: Date; readAt?: Date } {
  if (!receipts || !outcome.sentAt) return {};
  const readAt = receipts.read && receipts.read >= outcome.sentAt ? receipts.read : undefined;
  const byMid = outcome.messageId && receipts.mids.has(outcome.messageId);
  const byWatermark =
    receipts.delivered && receipts.delivered >= outcome.sentAt ? receipts.delivered : undefined;
  // A read implies the delivery, even when the delivery receipt never came.
  const deliveredAt = byWatermark ?? (byMid ? outcome.sentAt : undefined) ?? readAt;
  return { deliveredAt, readAt };
}

function withReceipts(view: DeliveryView, receipts: PsidReceipts | undefined): DeliveryView {
  return view.status === 'sent' ? { ...view, ...receiptState(view, receipts) } : view;
}
