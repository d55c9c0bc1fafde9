import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { toUserView } from '../audience/user-view';
import { UsersRepository } from '../audience/users.repository';
import { ApiError } from '../common/api-error';
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
    private readonly users: UsersRepository,
    private readonly pages: PagesService,
  ) {}

  async create(pageId: string, input: CreateSegmentDto): Promise<SegmentView> {
    await this.pages.get(pageId);
    checkRules(input.rules);
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

  async update(pageId: string, segmentId: string, input: UpdateSegmentDto): Promise<SegmentView> {
    if (input.rules) checkRules(input.rules);
    const updated = await this.segments
      .findOneAndUpdate({ _id: segmentId, pageId }, { $set: definedOnly(input) }, { new: true })
      .lean();
    if (!updated) throw ApiError.notFound(`segment ${segmentId} of Page ${pageId}`);
    return toSegmentView(updated);
  }

  async delete(pageId: string, segmentId: string): Promise<void> {
    const { deletedCount } = await this.segments.deleteOne({ _id: segmentId, pageId });
    if (deletedCount === 0) throw ApiError.notFound(`segment ${segmentId} of Page ${pageId}`);
  }

  /** The segment's filter over the users collection, evaluated now (relative dates move with time). */
  async filterFor(pageId: string, segmentId: string, now = new Date()): Promise<MongoFilter> {
    const segment = await this.find(pageId, segmentId);
    return { pageId, ...compileRules(segment.rules, now) };
  }

  /** How many users the segment holds, how many could get a standard message now, and a sample. */
  async preview(pageId: string, segmentId: string, sampleSize = 10) {
    const now = new Date();
    const filter = await this.filterFor(pageId, segmentId, now);
    const [count, reachable, sample] = await Promise.all([
      this.users.countMatching(filter),
      this.users.countMatching({ $and: [filter, reachableNowFilter(now)] }),
      sampleSize > 0 ? this.users.findMatching(filter, sampleSize) : Promise.resolve([]),
    ]);
    return { count, reachable, sample: sample.map(toUserView) };
  }

  private async find(pageId: string, segmentId: string): Promise<Segment & { _id: unknown }> {
    const segment = await this.segments.findOne({ _id: segmentId, pageId }).lean();
    if (!segment) throw ApiError.notFound(`segment ${segmentId} of Page ${pageId}`);
    return segment;
  }
}

function checkRules(rules: unknown): void {
  try {
    compileRules(rules, new Date());
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
