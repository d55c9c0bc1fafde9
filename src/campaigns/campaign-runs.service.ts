/**
 * Starting runs, from a publish (`now`) or the scheduler tick. The run document
 * inserted under (campaignId, occurrence) is the claim: with several processes
 * ticking at once, exactly one insert succeeds and the others see 11000.
 */
import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { SchedulerRegistry } from '@nestjs/schedule';
import type { Model } from 'mongoose';
import { isDuplicateKeyError } from '../common/mongo-errors';
import { AppConfig } from '../config/app-config';
import { Campaign, CampaignRun } from './campaign.schema';
import { nextOccurrence } from './schedule';

const TICK = 'campaign-scheduler';

@Injectable()
export class CampaignRunsService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(CampaignRunsService.name);
  private ticking = false;

  constructor(
    @InjectModel(Campaign.name) private readonly campaigns: Model<Campaign>,
    @InjectModel(CampaignRun.name) private readonly runs: Model<CampaignRun>,
    private readonly config: AppConfig,
    private readonly registry: SchedulerRegistry,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.role === 'api' || this.config.schedulerTickMs === 0) return;
    const timer = setInterval(() => {
      if (this.ticking) return;
      this.ticking = true;
      this.tick(new Date())
        .catch((error: unknown) =>
          this.logger.error(
            `scheduler tick failed: ${error instanceof Error ? error.message : String(error)}`,
          ),
        )
        .finally(() => (this.ticking = false));
    }, this.config.schedulerTickMs);
    this.registry.addInterval(TICK, timer);
  }

  onModuleDestroy(): void {
    if (this.registry.doesExist('interval', TICK)) this.registry.deleteInterval(TICK);
  }

  /** Starts every scheduled campaign whose time has come; returns how many runs this call created. */
  async tick(now: Date): Promise<number> {
    const due = await this.campaigns
      .find({ status: 'scheduled', nextRunAt: { $lte: now } })
      .limit(100)
      .lean();
    let started = 0;
    for (const campaign of due) {
      if (await this.startRun(campaign as Campaign & { _id: unknown }, campaign.nextRunAt!))
        started += 1;
    }
    return started;
  }

  /**
   * Claims the run of `occurrence` and moves the campaign to running (with the
   * next occurrence of a recurring schedule). Returns false when another process
   * had already claimed it; the campaign update is the same either way.
   */
  async startRun(campaign: Campaign & { _id: unknown }, occurrence: Date): Promise<boolean> {
    const campaignId = String(campaign._id);
    let claimed = true;
    try {
      await this.runs.create({
        campaignId,
        pageId: campaign.pageId,
        occurrence,
        messageVersion: campaign.messageVersion,
        status: 'started',
      });
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      claimed = false;
    }
    const next =
      campaign.schedule.type === 'cron' ? nextOccurrence(campaign.schedule, occurrence) : undefined;
    await this.campaigns.updateOne(
      { _id: campaign._id },
      next
        ? { $set: { status: 'running', nextRunAt: next } }
        : { $set: { status: 'running' }, $unset: { nextRunAt: 1 } },
    );
    return claimed;
  }

  list(campaignId: string) {
    return this.runs.find({ campaignId }).sort({ occurrence: -1 }).limit(100).lean();
  }
}
