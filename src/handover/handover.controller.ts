import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { PsidParams } from '../audience/user.dto';
import {
  PassThreadDto,
  RequestThreadDto,
  TakeThreadDto,
  ThreadControlAnswer,
  ThreadOwnerAnswer,
} from './handover.dto';
import { ThreadControlService } from './thread-control.service';

const REFUSED = { status: 422, description: 'Facebook refused: its classified error' };
const UNREACHABLE = { status: 502, description: 'Facebook gave no answer' };

@ApiTags('handover')
@ApiBearerAuth()
@Controller('api/pages/:pageId/threads/:psid')
export class HandoverController {
  constructor(private readonly threads: ThreadControlService) {}

  @Post('pass')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Pass the thread to another app, by default the Page Inbox ("send to inbox")',
  })
  @ApiResponse({ status: 200, type: ThreadControlAnswer })
  @ApiResponse(REFUSED)
  @ApiResponse(UNREACHABLE)
  pass(@Param() { pageId, psid }: PsidParams, @Body() body: PassThreadDto) {
    return this.threads.pass(pageId, psid, body.targetAppId, body.metadata);
  }

  @Post('take')
  @HttpCode(200)
  @ApiOperation({ summary: 'Take the thread back (this app must be the primary receiver)' })
  @ApiResponse({ status: 200, type: ThreadControlAnswer })
  @ApiResponse(REFUSED)
  @ApiResponse(UNREACHABLE)
  take(@Param() { pageId, psid }: PsidParams, @Body() body: TakeThreadDto) {
    return this.threads.take(pageId, psid, body.metadata);
  }

  @Post('request')
  @HttpCode(200)
  @ApiOperation({ summary: 'Ask the app that owns the thread to pass it to this app' })
  @ApiResponse({ status: 200, type: ThreadControlAnswer })
  @ApiResponse(REFUSED)
  @ApiResponse(UNREACHABLE)
  request(@Param() { pageId, psid }: PsidParams, @Body() body: RequestThreadDto) {
    return this.threads.request(pageId, psid, body.metadata);
  }

  @Get('owner')
  @ApiOperation({ summary: 'The app that owns the thread now, as Facebook says' })
  @ApiResponse({ status: 200, type: ThreadOwnerAnswer })
  @ApiResponse(REFUSED)
  @ApiResponse(UNREACHABLE)
  owner(@Param() { pageId, psid }: PsidParams): Promise<ThreadOwnerAnswer> {
    return this.threads.owner(pageId, psid);
  }
}
