/**
 * Every change of a campaign goes through here (SPEC §8): the change is planned
 * from the campaign as read, claimed by inserting it under (campaignId, revision + 1),
 * and only then carried out. On FerretDB two conditional updates can both match,
 * but only one insert under a unique key succeeds, so of N concurrent conflicting
 * requests exactly one wins and the others answer 409 with the status now.
 */
import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Types, type Model } from 'mongoose';
import { ApiError } from '../common/api-error';
import { Clock } from '../common/clock';
import { isDuplicateKeyError } from '../common/mongo-errors';
import { Segment } from '../segments/segment.schema';
import { Campaign, CampaignChange, CampaignRun } from './campaign.schema';
import { isRefusal, planChange, type CampaignAction } from './campaign-lifecycle';

export type StoredCampaign = Campaign & { _id: Types.ObjectId };

@Injectable()
export class CampaignChangesService {
  constructor(
    @InjectModel(Campaign.name) private readonly campaigns: Model<Campaign>,
    @InjectModel(CampaignChange.name) private readonly changes: Model<CampaignChange>,
    @InjectModel(CampaignRun.name) private readonly runs: Model<CampaignRun>,
    @InjectModel(Segment.name) private readonly segments: Model<Segment>,
    private readonly clock: Clock,
  ) {}

  /** Applies `action` to the campaign as it was read; the campaign after it (undefined once deleted). */
  async apply(
    campaign: StoredCampaign,
    action: CampaignAction,
  ): Promise<StoredCampaign | undefined> {
    const plan = planChange(campaign, action, this.clock.now());
    if (isRefusal(plan)) {
      const { code, message, field } = plan.refused;
      if (field) throw ApiError.invalidField(field, message.replace(`${field} `, ''));
      throw ApiError.conflict(code, message, { status: campaign.status });
    }
    const campaignId = String(campaign._id);
    const revision = campaign.revision + 1;
    const run = plan.startsRun ? await this.runFor(campaign, plan.startsRun.occurrence) : undefined;
    const change = {
      campaignId,
      revision,
      action: plan.action,
      from: plan.from,
      to: plan.to,
      set: {
        ...plan.set,
        status: plan.to,
        revision,
        ...(run ? { activeRunId: String(run._id) } : {}),
      },
      unset: plan.unset,
      run,
      ...(plan.runStatus ? { runStatus: { ...plan.runStatus, at: this.clock.now() } } : {}),
    };
    try {
      await this.changes.create(change);
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      throw await this.lostRace(campaign);
    }
    await this.carryOut(change);
    if (plan.action === 'delete') return undefined;
    return (await this.campaigns.findById(campaign._id).lean()) ?? undefined;
  }

  /** Another request claimed this revision first: make sure its change is done, then say where the campaign is. */
  private async lostRace(campaign: StoredCampaign): Promise<ApiError> {
    const campaignId = String(campaign._id);
    const winner = await this.changes
      .findOne({ campaignId, revision: campaign.revision + 1 })
      .lean();
    if (winner) await this.carryOut(winner);
    const now = await this.campaigns.findById(campaign._id, { status: 1 }).lean();
    const status = now?.status ?? 'deleted';
    return ApiError.conflict(
      'concurrent_change',
      `the campaign was changed by another request at the same time; it is now ${status}`,
      { status },
    );
  }

  /**
   * Does what a claimed change says. Idempotent, so a change whose writer crashed
   * is finished by whoever finds it: the run insert is keyed by occurrence, and the
   * campaign moves only from the revision the change was planned on.
   */
  private async carryOut(
    change: Pick<
      CampaignChange,
      'campaignId' | 'revision' | 'action' | 'set' | 'unset' | 'run' | 'runStatus'
    >,
  ) {
    if (change.run) {
      try {
        await this.runs.create(change.run);
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
      }
    }
    if (change.runStatus) {
      const { runId, status, at } = change.runStatus;
      await this.runs.updateOne(
        { _id: runId },
        status === 'started'
          ? { $set: { status }, $unset: { finishedAt: 1 } }
          : { $set: { status, finishedAt: at } },
      );
    }
    const filter = { _id: change.campaignId, revision: change.revision - 1 };
    if (change.action === 'delete') {
      await this.campaigns.deleteOne(filter);
      return;
    }
    await this.campaigns.updateOne(filter, {
      $set: change.set,
      ...(change.unset.length > 0
        ? { $unset: Object.fromEntries(change.unset.map((field) => [field, 1])) }
        : {}),
    });
  }

  /** The run a change starts, with the segment's rules as they are now (the run keeps them). */
  private async runFor(campaign: StoredCampaign, occurrence: Date) {
    const segment = await this.segments
      .findOne({ _id: campaign.segmentId, pageId: campaign.pageId }, { rules: 1 })
      .lean();
    if (!segment)
      throw ApiError.conflict(
        'segment_missing',
        `segment ${campaign.segmentId} no longer exists; choose another segment`,
        { status: campaign.status },
      );
    return {
      _id: new Types.ObjectId(),
      campaignId: String(campaign._id),
      pageId: campaign.pageId,
      occurrence,
      messageVersion: campaign.messageVersion,
      segmentId: campaign.segmentId,
      segmentRules: segment.rules,
      status: 'started' as const,
    };
  }
}
