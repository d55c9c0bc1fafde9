/**
 * Each Page's health: set by the sending engine when Facebook refuses the Page
 * (with the campaigns it paused), cleared by a successful send or connection check;
 * a policy block from the webhook is kept apart and lifted only by `unblock`.
 */
import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { Clock } from '../common/clock';
import type { GraphFailure } from '../messenger/graph-errors';
import { isDuplicateKeyError } from '../common/mongo-errors';
import { healthStatusFor, shownHealth, type PageHealthStatus } from './page-health';
import { PageHealth } from './page-health.schema';

export interface PageHealthView {
  status: PageHealthStatus;
  since?: Date;
  lastError?: Record<string, unknown>;
  pausedCampaigns: string[];
}

@Injectable()
export class PageHealthService {
  constructor(
    @InjectModel(PageHealth.name) private readonly health: Model<PageHealth>,
    private readonly clock: Clock,
  ) {}

  async get(pageId: string): Promise<PageHealthView> {
    const found = await this.health.findById(pageId).lean();
    if (!found) return { status: 'ok', pausedCampaigns: [] };
    // A record first written by a connection check has no list: none were paused.
    return { ...shownHealth(found), pausedCampaigns: found.pausedCampaigns ?? [] };
  }

  /**
   * Facebook blocked the Page by policy (webhook): marked blocked with the reason and
   * the campaigns paused for it. Idempotent: a Page already blocked keeps its first
   * mark, so a replayed or repeated block changes nothing.
   */
  async recordPolicyBlock(
    pageId: string,
    reason: string | undefined,
    pausedCampaigns: string[],
  ): Promise<void> {
    const now = this.clock.now();
    try {
      await this.health.updateOne(
        { _id: pageId, policyBlock: { $exists: false } },
        {
          $set: { policyBlock: { since: now, ...(reason ? { reason } : {}) }, pausedCampaigns },
          $setOnInsert: { status: 'ok', since: now },
        },
        { upsert: true },
      );
    } catch (error) {
      // The upsert inserts when the filter misses: a duplicate key means the Page is already blocked.
      if (!isDuplicateKeyError(error)) throw error;
    }
  }

  /** Facebook lifted the policy block: the mark goes; paused campaigns stay paused (and listed) until resumed. */
  async clearPolicyBlock(pageId: string): Promise<void> {
    await this.health.updateOne(
      { _id: pageId, policyBlock: { $exists: true } },
      { $unset: { policyBlock: 1 }, $set: { since: this.clock.now() } },
    );
  }

  /** Facebook refused the Page: its status, the error, and the campaigns paused for it (kept when none are named). */
  async recordFailure(
    pageId: string,
    failure: GraphFailure,
    pausedCampaigns?: string[],
  ): Promise<void> {
    await this.health.updateOne(
      { _id: pageId },
      {
        $set: {
          status: healthStatusFor(failure),
          since: this.clock.now(),
          lastError: {
            code: failure.code,
            subcode: failure.subcode,
            message: failure.message,
            fbtraceId: failure.fbtraceId,
          },
          ...(pausedCampaigns ? { pausedCampaigns } : {}),
        },
      },
      { upsert: true },
    );
  }

  /** The Page sent successfully: it is healthy again (the error stays on record until then). */
  async recordSuccess(pageId: string): Promise<void> {
    const current = await this.health.findById(pageId, { status: 1 }).lean();
    if (!current || current.status === 'ok') return;
    await this.health.updateOne(
      { _id: pageId },
      { $set: { status: 'ok', since: this.clock.now(), pausedCampaigns: [] } },
    );
  }
}
