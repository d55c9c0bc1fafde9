import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PageIdParam } from '../common/params';
import {
  CampaignParams,
  CreateCampaignDto,
  PreviewCampaignDto,
  PublishDto,
  TestSendDto,
  UpdateCampaignDto,
} from './campaign.dto';
import { CampaignPreviewService } from './campaign-preview.service';
import { CampaignsService, type CampaignView } from './campaigns.service';

@ApiTags('campaigns')
@ApiBearerAuth()
@Controller('api')
export class CampaignsController {
  constructor(
    private readonly campaigns: CampaignsService,
    private readonly previews: CampaignPreviewService,
  ) {}

  @Post('pages/:pageId/campaigns')
  @ApiOperation({
    summary:
      'Create a draft campaign; message, templates, delivery policy and schedule are checked now',
  })
  create(
    @Param() { pageId }: PageIdParam,
    @Body() input: CreateCampaignDto,
  ): Promise<CampaignView> {
    return this.campaigns.create(pageId, input);
  }

  @Get('pages/:pageId/campaigns')
  async list(@Param() { pageId }: PageIdParam): Promise<{ items: CampaignView[] }> {
    return { items: await this.campaigns.list(pageId) };
  }

  @Get('campaigns/:campaignId')
  get(@Param() { campaignId }: CampaignParams): Promise<CampaignView> {
    return this.campaigns.get(campaignId);
  }

  @Patch('campaigns/:campaignId')
  @ApiOperation({ summary: 'Edit a draft or paused campaign; a changed message is a new version' })
  update(
    @Param() { campaignId }: CampaignParams,
    @Body() input: UpdateCampaignDto,
  ): Promise<CampaignView> {
    return this.campaigns.update(campaignId, input);
  }

  @Delete('campaigns/:campaignId')
  @HttpCode(204)
  delete(@Param() { campaignId }: CampaignParams): Promise<void> {
    return this.campaigns.delete(campaignId);
  }

  @Post('campaigns/:campaignId/preview')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Rendered Send API bodies for sample users and the eligibility breakdown, of the saved campaign or of unsaved message, delivery and segment; nothing is sent or stored',
  })
  async preview(@Param() { campaignId }: CampaignParams, @Body() input: PreviewCampaignDto) {
    const { psids, ...unsaved } = input;
    const campaign = await this.campaigns.find(campaignId);
    const subject = await this.campaigns.withUnsaved(campaign, unsaved);
    return { ...(await this.previews.preview(subject, psids)), unsaved: subject !== campaign };
  }

  @Post('campaigns/:campaignId/test-send')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Send the current message now to one user ({psid}) or to each of the Page’s testers ({testers: true}: one result per tester); 422/502 for a single send Facebook refuses or cannot be reached; 409 no_testers',
  })
  async testSend(@Param() { campaignId }: CampaignParams, @Body() input: TestSendDto) {
    return this.previews.testSend(
      await this.campaigns.find(campaignId),
      input.psid,
      input.useToken,
    );
  }

  @Post('campaigns/:campaignId/publish')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Schedule the campaign (or start it for schedule now); 409 test_send_required without a successful test-send',
  })
  publish(@Param() { campaignId }: CampaignParams, @Body() input: PublishDto) {
    return this.campaigns.publish(campaignId, input.force);
  }

  @Post('campaigns/:campaignId/pause')
  @HttpCode(200)
  pause(@Param() { campaignId }: CampaignParams) {
    return this.campaigns.pause(campaignId);
  }

  @Post('campaigns/:campaignId/resume')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Continue a paused campaign; 409 test_send_required when its message changed and the new version has no successful test-send',
  })
  resume(@Param() { campaignId }: CampaignParams, @Body() input: PublishDto) {
    return this.campaigns.resume(campaignId, input.force);
  }

  @Post('campaigns/:campaignId/cancel')
  @HttpCode(200)
  cancel(@Param() { campaignId }: CampaignParams) {
    return this.campaigns.cancel(campaignId);
  }

  @Get('campaigns/:campaignId/runs')
  @ApiOperation({ summary: 'The campaign’s runs, newest occurrence first' })
  async runs(@Param() { campaignId }: CampaignParams) {
    return { items: await this.campaigns.listRuns(campaignId) };
  }
}
