/**
 * Page leases (SPEC §8): one worker at a time sends for a Page. Taking a lease is
 * an insert of the next epoch, so of workers racing for an expired lease exactly
 * one wins; renewing is an update of the holder's own small document. The holder
 * trusts its lease only until its last renewal plus the TTL less a margin, so it
 * stops before anyone else may take over.
 */
import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { Clock } from '../common/clock';
import { isDuplicateKeyError } from '../common/mongo-errors';
import { PageLease } from './delivery.schema';

export interface HeldLease {
  pageId: string;
  epoch: number;
  holder: string;
  /** Until when the holder may send (its own view: renewal time + TTL − margin). */
  validUntil: number;
  /**
   * The holder sends nothing before this time: a second after the previous holder
   * last could, so no 1-second window holds both holders' sends at full rate.
   */
  quietUntil: number;
}

const leaseId = (pageId: string, epoch: number) => `${pageId}:${String(epoch).padStart(9, '0')}`;

@Injectable()
export class PageLeases {
  constructor(
    @InjectModel(PageLease.name) private readonly leases: Model<PageLease>,
    private readonly clock: Clock,
  ) {}

  /** The lease of the Page when it is free or expired and this call wins it; otherwise undefined. */
  async acquire(pageId: string, holder: string, ttlMs: number): Promise<HeldLease | undefined> {
    const now = this.clock.now();
    const latest = await this.leases.findOne({ pageId }).sort({ epoch: -1 }).lean();
    if (latest && latest.expiresAt > now && latest.holder !== holder) return undefined;
    const epoch = (latest?.epoch ?? 0) + 1;
    try {
      await this.leases.create({
        _id: leaseId(pageId, epoch),
        pageId,
        epoch,
        holder,
        expiresAt: new Date(now.getTime() + ttlMs),
      });
    } catch (error) {
      if (isDuplicateKeyError(error)) return undefined;
      throw error;
    }
    // Older epochs are history: keep only the one before, for the record of the takeover.
    await this.leases.deleteMany({ pageId, epoch: { $lt: epoch - 1 } });
    return {
      pageId,
      epoch,
      holder,
      validUntil: now.getTime() + ttlMs - margin(ttlMs),
      // This worker's own earlier sends are paced by its own Page limiter already.
      quietUntil: latest && latest.holder !== holder ? latest.expiresAt.getTime() + 1000 : 0,
    };
  }

  /** Extends the lease; false when it is no longer this holder's (taken over, or the database is gone). */
  async renew(lease: HeldLease, ttlMs: number): Promise<boolean> {
    const now = this.clock.now();
    if (now.getTime() >= lease.validUntil) return false;
    const { matchedCount } = await this.leases.updateOne(
      { _id: leaseId(lease.pageId, lease.epoch), holder: lease.holder },
      { $set: { expiresAt: new Date(now.getTime() + ttlMs) } },
    );
    // A newer epoch means someone took over: never extend over it.
    const newer = await this.leases.exists({ pageId: lease.pageId, epoch: { $gt: lease.epoch } });
    if (matchedCount === 0 || newer) return false;
    lease.validUntil = now.getTime() + ttlMs - margin(ttlMs);
    return true;
  }

  /** Gives the Page up at once (its last send is now), so another worker need not wait for the TTL. */
  async release(lease: HeldLease): Promise<void> {
    lease.validUntil = 0;
    await this.leases.updateOne(
      { _id: leaseId(lease.pageId, lease.epoch), holder: lease.holder },
      { $set: { expiresAt: this.clock.now() } },
    );
  }

  isValid(lease: HeldLease): boolean {
    return this.clock.now().getTime() < lease.validUntil;
  }
}

/** The holder stops this much before the lease expires, for clock reading and request latency. */
function margin(ttlMs: number): number {
  return Math.min(2_000, ttlMs / 4);
}
