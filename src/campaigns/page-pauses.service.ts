/**
 * Pausing a Page's running campaigns when the Page cannot send: a Page-fatal
 * Graph error (the sending engine) or a policy block (the webhook). Each campaign
 * moves through its own transition, as it is when paused.
 */
import { Injectable, Logger } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { CampaignChangesService, type StoredCampaign } from './campaign-changes.service';
import { Campaign } from './campaign.schema';

@Injectable()
export class PagePauses {
  private readonly logger = new Logger(PagePauses.name);

  constructor(
    @InjectModel(Campaign.name) private readonly campaigns: Model<Campaign>,
    private readonly changes: CampaignChangesService,
  ) {}

  /** A Page's running campaigns: what the Page's health lists before they are paused. */
  running(pageId: string): Promise<StoredCampaign[]> {
    return this.campaigns.find({ pageId, status: 'running' }).lean<StoredCampaign[]>().exec();
  }

  /** Pauses through the campaign's transition, as it is now; false when it had moved meanwhile. */
  async pause(campaign: StoredCampaign, reason: string): Promise<boolean> {
    const current = await this.campaigns.findById(campaign._id).lean<StoredCampaign>().exec();
    if (current?.status !== 'running') return false;
    try {
      await this.changes.apply(current, { kind: 'pause', reason });
      return true;
    } catch (error) {
      this.logger.warn(
        `campaign ${String(campaign._id)} not paused: ${error instanceof Error ? error.message : String(error)}`,
      );
      return false;
    }
  }
}
