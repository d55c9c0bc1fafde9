import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PageIdParam } from '../common/params';
import {
  CreateSegmentDto,
  PreviewQuery,
  PreviewRulesDto,
  SegmentParams,
  SegmentView,
  UpdateSegmentDto,
} from './segment.dto';
import { SegmentsService } from './segments.service';

@ApiTags('segments')
@ApiBearerAuth()
@Controller('api/pages/:pageId/segments')
export class SegmentsController {
  constructor(private readonly segments: SegmentsService) {}

  @Post()
  @ApiOperation({
    summary: 'Save a segment; its rules are checked now (400 with the path of a bad rule)',
  })
  create(@Param() { pageId }: PageIdParam, @Body() input: CreateSegmentDto): Promise<SegmentView> {
    return this.segments.create(pageId, input);
  }

  @Post('preview')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Preview rules before saving them: count, reachable now, and a sample (nothing stored)',
  })
  previewRules(@Param() { pageId }: PageIdParam, @Body() input: PreviewRulesDto) {
    return this.segments.previewRules(pageId, input.rules, input.sampleSize);
  }

  @Get()
  async list(@Param() { pageId }: PageIdParam): Promise<{ items: SegmentView[] }> {
    return { items: await this.segments.list(pageId) };
  }

  @Get(':segmentId')
  get(@Param() { pageId, segmentId }: SegmentParams): Promise<SegmentView> {
    return this.segments.get(pageId, segmentId);
  }

  @Patch(':segmentId')
  update(
    @Param() { pageId, segmentId }: SegmentParams,
    @Body() input: UpdateSegmentDto,
  ): Promise<SegmentView> {
    return this.segments.update(pageId, segmentId, input);
  }

  @Delete(':segmentId')
  @HttpCode(204)
  delete(@Param() { pageId, segmentId }: SegmentParams): Promise<void> {
    return this.segments.delete(pageId, segmentId);
  }

  @Get(':segmentId/preview')
  @ApiOperation({
    summary: 'Count, how many are reachable now (window open, not suppressed), and a sample',
  })
  preview(@Param() { pageId, segmentId }: SegmentParams, @Query() { sampleSize }: PreviewQuery) {
    return this.segments.preview(pageId, segmentId, sampleSize);
  }
}
