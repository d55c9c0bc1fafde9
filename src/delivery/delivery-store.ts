/**
 * The engine's reads and writes, each named for the question it answers. The
 * hot path only inserts (claims and outcomes, in batches); updates touch the
 * run's small progress document. Queries that scan (by run and round past a
 * checkpoint) run once when a worker picks a run up, never per recipient.
 */
import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Types, type Model } from 'mongoose';
import { UsersRepository, type StoredUser } from '../audience/users.repository';
import type { StoredCampaign } from '../campaigns/campaign-changes.service';
import { Campaign, CampaignRun } from '../campaigns/campaign.schema';
import { compileRules } from '../segments/rule-compiler';
import { BatchWriter, type WriteResult } from '../common/batch-writer';
import { Delivery, DeliveryOutcome } from './delivery.schema';
import type { RunProgress, StoredRun } from './engine-seams';

@Injectable()
export class DeliveryStore implements OnModuleDestroy {
  private readonly claims: BatchWriter<Delivery>;
  private readonly outcomes: BatchWriter<DeliveryOutcome>;
  private holdingRuns?: { at: number; read: Promise<StoredCampaign[]> };

  constructor(
    @InjectModel(Delivery.name) private readonly deliveryModel: Model<Delivery>,
    @InjectModel(DeliveryOutcome.name) private readonly outcomeModel: Model<DeliveryOutcome>,
    @InjectModel(Campaign.name) private readonly campaigns: Model<Campaign>,
    @InjectModel(CampaignRun.name) private readonly runs: Model<CampaignRun>,
    private readonly users: UsersRepository,
  ) {
    this.claims = new BatchWriter(deliveryModel.collection as never);
    this.outcomes = new BatchWriter(outcomeModel.collection as never);
  }

  async onModuleDestroy(): Promise<void> {
    await this.drain().catch(() => undefined);
  }

  /** Stores a claim (or a skip); `duplicate` when an earlier holder had claimed it. */
  claim(delivery: Delivery): Promise<WriteResult> {
    return this.claims.write(delivery);
  }

  recordOutcome(outcome: DeliveryOutcome): Promise<WriteResult> {
    return this.outcomes.write(outcome);
  }

  /** Outcomes written at once (recovery); one already there is kept. */
  async insertOutcomes(outcomes: DeliveryOutcome[]): Promise<void> {
    await Promise.all(outcomes.map((outcome) => this.outcomes.write(outcome)));
  }

  async drain(): Promise<void> {
    await Promise.all([this.claims.drain(), this.outcomes.drain()]);
  }

  /** The engine's work: Pages with a campaign whose run is being sent or must be finished. */
  async pagesWithWork(maxAgeMs = 0): Promise<string[]> {
    const found = (await this.campaignsHoldingRuns(maxAgeMs)).filter(
      (campaign) => campaign.status !== 'paused',
    );
    return [...new Set(found.map((campaign) => campaign.pageId))];
  }

  /** A Page's campaigns holding a run: running, paused (kept, not sent) or cancelled (to finish). */
  async campaignsWithActiveRun(pageId: string, maxAgeMs = 0): Promise<StoredCampaign[]> {
    return (await this.campaignsHoldingRuns(maxAgeMs)).filter(
      (campaign) => campaign.pageId === pageId,
    );
  }

  /**
   * Every campaign holding a run, read for all Pages at once and shared for up to
   * `maxAgeMs`: twenty Pages' senders refreshing every 250 ms make a few reads a
   * second, not eighty (each a scan of the campaigns on FerretDB).
   */
  private campaignsHoldingRuns(maxAgeMs: number): Promise<StoredCampaign[]> {
    const now = performance.now();
    if (this.holdingRuns && now - this.holdingRuns.at <= maxAgeMs) return this.holdingRuns.read;
    const read = this.campaigns
      .find({
        status: { $in: ['running', 'paused', 'cancelled'] },
        activeRunId: { $exists: true },
      })
      .lean<StoredCampaign[]>()
      .exec();
    const snapshot = { at: now, read };
    this.holdingRuns = snapshot;
    // A failed read is not shared: the next caller reads again.
    read.catch(() => {
      if (this.holdingRuns === snapshot) this.holdingRuns = undefined;
    });
    return read;
  }

  /**
   * Drops the shared campaigns read, finished or in flight: after this worker paused a
   * campaign, the next read must see it paused. A read from before a Page-fatal pause
   * would otherwise start a new sender for the Page, which would call it again.
   */
  forgetCampaignsRead(): void {
    this.holdingRuns = undefined;
  }

  findCampaign(campaignId: string): Promise<StoredCampaign | null> {
    return this.campaigns.findById(campaignId).lean<StoredCampaign>().exec();
  }

  findRun(runId: string): Promise<StoredRun | null> {
    return this.runs.findById(runId).lean<StoredRun>().exec();
  }

  /** Claims of a round past the checkpoint: what a new holder must look at. */
  claimsAfter(runId: string, round: number, seq: number): Promise<Delivery[]> {
    return this.deliveryModel
      .find(
        { runId, round, seq: { $gt: seq } },
        { _id: 1, psid: 1, seq: 1, userId: 1, skipReason: 1 },
      )
      .lean<Delivery[]>()
      .exec();
  }

  async outcomeIdsAfter(runId: string, round: number, seq: number): Promise<Set<string>> {
    const found = await this.outcomeModel
      .find({ runId, round, seq: { $gt: seq } }, { _id: 1 })
      .lean();
    return new Set(found.map((outcome) => outcome._id));
  }

  /** Who a retry round sends to: the previous round's unknown and retryable failures. */
  async retryCandidates(
    runId: string,
    round: number,
  ): Promise<Map<string, { status: string; reason?: string }>> {
    const candidates = new Map<string, { status: string; reason?: string }>();
    const cursor = this.outcomeModel
      .find({ runId, round: round - 1, retryable: true }, { psid: 1, status: 1, reason: 1 })
      .lean()
      .cursor();
    for await (const outcome of cursor)
      candidates.set(outcome.psid, { status: outcome.status, reason: outcome.reason });
    return candidates;
  }

  /** How many users the run's segment held when counted. */
  audienceSize(run: StoredRun): Promise<number> {
    return this.users.countMatching(runFilter(run));
  }

  /** The run's segment, as its rules were at the start, in _id order after `afterUserId`. */
  segmentAfter(run: StoredRun, afterUserId?: string): AsyncIterable<StoredUser> {
    const filter = runFilter(run);
    return this.users.cursorMatching(
      afterUserId ? { $and: [filter, { _id: { $gt: new Types.ObjectId(afterUserId) } }] } : filter,
    );
  }

  async saveProgress(runId: string, progress: Omit<RunProgress, 'updatedAt'>): Promise<void> {
    await this.runs.updateOne(
      { _id: runId },
      { $set: { progress: { ...progress, updatedAt: new Date() } } },
    );
  }
}

/** The run's audience: its Page and the segment rules it started with, relative dates as of its start. */
export function runFilter(run: StoredRun): Record<string, unknown> {
  return { pageId: run.pageId, ...compileRules(run.segmentRules, run.createdAt) };
}
