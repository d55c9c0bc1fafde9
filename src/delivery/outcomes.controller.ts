import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CampaignParams } from '../campaigns/campaign.dto';
import { DeliveriesQuery, RetryFailedDto, RunQuery } from './outcomes.dto';
import { OutcomesService } from './outcomes.service';

@ApiTags('outcomes')
@ApiBearerAuth()
@Controller('api/campaigns/:campaignId')
export class OutcomesController {
  constructor(private readonly outcomes: OutcomesService) {}

  @Get('stats')
  @ApiOperation({
    summary: 'Counts by status and reason, receipts and progress; ?runId= for one run',
  })
  async stats(@Param() { campaignId }: CampaignParams, @Query() { runId }: RunQuery) {
    return this.outcomes.stats(await this.outcomes.campaign(campaignId), runId);
  }

  @Get('deliveries')
  @ApiOperation({
    summary:
      'Per-recipient outcomes of a run (the latest by default), paged by cursor; ?format=csv streams them all as a file',
  })
  async deliveries(
    @Param() { campaignId }: CampaignParams,
    @Query() query: DeliveriesQuery,
    @Res({ passthrough: true }) response: Response,
  ) {
    const campaign = await this.outcomes.campaign(campaignId);
    const run = await this.outcomes.run(campaign, query.runId);
    const filter = { status: query.status, reason: query.reason, psid: query.psid };
    if (query.format !== 'csv') {
      if (!run) return { items: [], nextCursor: null };
      return this.outcomes.list(run, filter, query.limit ?? 100, query.cursor);
    }
    response.setHeader('Content-Type', 'text/csv; charset=utf-8');
    response.setHeader(
      'Content-Disposition',
      `attachment; filename="campaign-${campaignId}-${run ? String(run._id) : 'none'}.csv"`,
    );
    const lines = run ? this.outcomes.csv(run, filter) : (async function* () {})();
    await pipeline(Readable.from(lines), response);
  }

  @Post('retry-failed')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Send the failed (retryable) and unknown deliveries of a run again, as its next round',
  })
  async retryFailed(@Param() { campaignId }: CampaignParams, @Body() { runId }: RetryFailedDto) {
    return this.outcomes.retryFailed(await this.outcomes.campaign(campaignId), runId);
  }
}
