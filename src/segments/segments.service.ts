import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { toUserView } from '../audience/user-view';
import { UsersRepository } from '../audience/users.repository';
import { Campaign } from '../campaigns/campaign.schema';
import { ApiError } from '../common/api-error';
import { Clock } from '../common/clock';
import { definedOnly } from '../common/json';
import { PagesService } from '../pages/pages.service';
import { reachableNowFilter } from './reachability';
import { compileRules, RuleError, type MongoFilter } from './rule-compiler';
import type { CreateSegmentDto, SegmentView, UpdateSegmentDto } from './segment.dto';
import { Segment } from './segment.schema';

@Injectable()
export class SegmentsService {
  constructor(
    @InjectModel(Segment.name) private readonly segments: Model<Segment>,
    @InjectModel(Campaign.name) private readonly campaigns: Model<Campaign>,
    private readonly users: UsersRepository,
    private readonly pages: PagesService,
    private readonly clock: Clock,
  ) {}

  async create(pageId: string, input: CreateSegmentDto): Promise<SegmentView> {
    await this.pages.get(pageId);
    checkRules(input.rules, this.clock.now());
    return toSegmentView(
      (await this.segments.create({ pageId, name: input.name, rules: input.rules })).toObject(),
    );
  }

  async list(pageId: string): Promise<SegmentView[]> {
    await this.pages.get(pageId);
    return (await this.segments.find({ pageId }).sort({ createdAt: 1 }).lean()).map(toSegmentView);
  }

  async get(pageId: string, segmentId: string): Promise<SegmentView> {
    return toSegmentView(await this.find(pageId, segmentId));
  }

  /**
   * Renames the segment or replaces its rules. Allowed even while a campaign that
   * targets it is scheduled or running: a run keeps the rules it started with
   * (the run snapshots them), so a change applies from the next run on.
   */
  async update(pageId: string, segmentId: string, input: UpdateSegmentDto): Promise<SegmentView> {
    if (input.rules !== undefined) checkRules(input.rules, this.clock.now());
    const updated = await this.segments
      .findOneAndUpdate({ _id: segmentId, pageId }, { $set: definedOnly(input) }, { new: true })
      .lean();
    if (!updated) throw ApiError.notFound(`segment ${segmentId} of Page ${pageId}`);
    return toSegmentView(updated);
  }

  /** Deletes the segment unless a campaign that is not completed or cancelled targets it (409). */
  async delete(pageId: string, segmentId: string): Promise<void> {
    const campaignIds = await this.liveCampaignsTargeting(pageId, segmentId);
    if (campaignIds.length > 0) {
      throw ApiError.conflict(
        'segment_in_use',
        `segment ${segmentId} is the audience of campaign ${campaignIds.join(', ')}; complete or cancel them first`,
        { campaignIds },
      );
    }
    const { deletedCount } = await this.segments.deleteOne({ _id: segmentId, pageId });
    if (deletedCount === 0) throw ApiError.notFound(`segment ${segmentId} of Page ${pageId}`);
  }

  /**
   * The segment's filter over the users collection, evaluated now (relative dates
   * move with time). Rules stored before they were checked as they are today get a
   * 409 naming the segment, never a 500.
   */
  async filterFor(pageId: string, segmentId: string, now = this.clock.now()): Promise<MongoFilter> {
    const segment = await this.find(pageId, segmentId);
    try {
      return { pageId, ...compileRules(segment.rules, now) };
    } catch (error) {
      if (!(error instanceof RuleError)) throw error;
      throw ApiError.conflict(
        'segment_rules_invalid',
        `segment ${segmentId} has rules that are no longer valid (${error.message}); save new rules`,
      );
    }
  }

  /** How many users the segment holds, how many could get a standard message now, and a sample. */
  async preview(pageId: string, segmentId: string, sampleSize = 10) {
    const now = this.clock.now();
    return this.previewFilter(await this.filterFor(pageId, segmentId, now), sampleSize, now);
  }

  /** The same for rules not saved yet (400 with the path of a bad rule, as on save). */
  async previewRules(pageId: string, rules: unknown, sampleSize = 10) {
    await this.pages.get(pageId);
    const now = this.clock.now();
    checkRules(rules, now);
    return this.previewFilter({ pageId, ...compileRules(rules, now) }, sampleSize, now);
  }

  private async previewFilter(filter: MongoFilter, sampleSize: number, now: Date) {
    const [count, reachable, sample] = await Promise.all([
      this.users.countMatching(filter),
      this.users.countMatching({ $and: [filter, reachableNowFilter(now)] }),
      sampleSize > 0 ? this.users.findMatching(filter, sampleSize) : Promise.resolve([]),
    ]);
    return { count, reachable, sample: sample.map(toUserView) };
  }

  /** Ids of the campaigns not completed or cancelled that target the segment: deletion's guard. */
  private async liveCampaignsTargeting(pageId: string, segmentId: string): Promise<string[]> {
    const campaigns = await this.campaigns
      .find({ pageId, segmentId, status: { $nin: ['completed', 'cancelled'] } }, { _id: 1 })
      .limit(100)
      .lean();
    return campaigns.map((campaign) => String(campaign._id));
  }

  private async find(pageId: string, segmentId: string): Promise<Segment & { _id: unknown }> {
    const segment = await this.segments.findOne({ _id: segmentId, pageId }).lean();
    if (!segment) throw ApiError.notFound(`segment ${segmentId} of Page ${pageId}`);
    return segment;
  }
}

function checkRules(rules: unknown, now: Date): void {
  try {
    compileRules(rules, now);
  } catch (error) {
    if (error instanceof RuleError) throw ApiError.fromProblems(error, 'invalid rules: ');
    throw error;
  }
}

function toSegmentView(segment: Segment & { _id: unknown }): SegmentView {
  return {
    id: String(segment._id),
    pageId: segment.pageId,
    name: segment.name,
    rules: segment.rules,
    createdAt: segment.createdAt,
    updatedAt: segment.updatedAt,
  };
}
