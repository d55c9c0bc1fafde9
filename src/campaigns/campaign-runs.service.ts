/**
 * The scheduler tick: starts every scheduled campaign whose time has come. A
 * start is a campaign change (CampaignChangesService), and the run it inserts
 * under (campaignId, occurrence) is the claim to that occurrence: with several
 * processes ticking at once, exactly one starts each run.
 */
import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { SchedulerRegistry } from '@nestjs/schedule';
import type { Model } from 'mongoose';
import { ApiError } from '../common/api-error';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import { Campaign, CampaignRun } from './campaign.schema';
import { CampaignChangesService, type StoredCampaign } from './campaign-changes.service';

const TICK = 'campaign-scheduler';

@Injectable()
export class CampaignRunsService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(CampaignRunsService.name);
  private ticking = false;

  constructor(
    @InjectModel(Campaign.name) private readonly campaigns: Model<Campaign>,
    @InjectModel(CampaignRun.name) private readonly runs: Model<CampaignRun>,
    private readonly changes: CampaignChangesService,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly registry: SchedulerRegistry,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.role === 'api' || this.config.schedulerTickMs === 0) return;
    const timer = setInterval(() => {
      if (this.ticking) return;
      this.ticking = true;
      this.tick()
        .catch((error: unknown) => this.logger.error(`scheduler tick failed: ${describe(error)}`))
        .finally(() => (this.ticking = false));
    }, this.config.schedulerTickMs);
    this.registry.addInterval(TICK, timer);
  }

  onModuleDestroy(): void {
    if (this.registry.doesExist('interval', TICK)) this.registry.deleteInterval(TICK);
  }

  /** Starts every scheduled campaign whose time has come; returns how many runs this call started. */
  async tick(): Promise<number> {
    const due = await this.campaigns
      .find({ status: 'scheduled', nextRunAt: { $lte: this.clock.now() } })
      .limit(100)
      .lean<StoredCampaign[]>();
    let started = 0;
    for (const campaign of due) {
      try {
        await this.changes.apply(campaign, { kind: 'start' });
        started += 1;
      } catch (error) {
        // Another process started it, or it was paused or cancelled meanwhile: nothing to do.
        if (error instanceof ApiError && error.getStatus() === 409) continue;
        this.logger.error(`campaign ${String(campaign._id)} did not start: ${describe(error)}`);
      }
    }
    return started;
  }

  list(campaignId: string) {
    return this.runs.find({ campaignId }).sort({ occurrence: -1 }).limit(100).lean();
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
