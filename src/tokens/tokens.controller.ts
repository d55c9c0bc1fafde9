import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PsidParams } from '../audience/user.dto';
import { PageIdParam } from '../common/params';
import { PagesService } from '../pages/pages.service';
import { notificationRequestMessage, otnRequestMessage } from './optin-templates';
import { OptinRequestsService } from './optin-requests.service';
import { NotificationRequestDto, OtnRequestDto, TokenView } from './token.dto';
import { TokensService } from './tokens.service';

@ApiTags('tokens')
@ApiBearerAuth()
@Controller('api/pages/:pageId')
export class TokensController {
  constructor(
    private readonly tokens: TokensService,
    private readonly requests: OptinRequestsService,
    private readonly pages: PagesService,
  ) {}

  @Get('users/:psid/tokens')
  @ApiOperation({
    summary: "A user's notification tokens (kind, topic, status, dates); never a value",
  })
  async list(@Param() { pageId, psid }: PsidParams): Promise<{ items: TokenView[] }> {
    await this.pages.get(pageId);
    return { items: await this.tokens.list(pageId, psid) };
  }

  @Post('otn-requests')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Send the one-time-notification request (one_time_notif_req, topic as payload) to a user or a segment, within the window',
  })
  otnRequest(@Param() { pageId }: PageIdParam, @Body() body: OtnRequestDto) {
    return this.send(pageId, body, otnRequestMessage(body.title, body.topic));
  }

  @Post('notification-requests')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Send the marketing-message opt-in request (notification_messages) to a user or a segment, within the window',
  })
  notificationRequest(@Param() { pageId }: PageIdParam, @Body() body: NotificationRequestDto) {
    return this.send(pageId, body, notificationRequestMessage(body));
  }

  private send(pageId: string, body: OtnRequestDto, message: Record<string, unknown>) {
    return body.psid
      ? this.requests.toUser(pageId, body.psid, message)
      : this.requests.toSegment(pageId, body.segmentId!, message);
  }
}
