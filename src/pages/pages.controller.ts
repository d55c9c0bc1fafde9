import { Body, Controller, Get, HttpCode, Param, Patch, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PageIdParam } from '../common/params';
import { valueOrGraphError } from '../messenger/graph-answer';
import { MessengerClient } from '../messenger/messenger-client.service';
import { sendMessageBody, textMessage } from '../messenger/payloads';
import { PageView, RegisterPageDto, TestersDto, TestMessageDto, UpdatePageDto } from './page.dto';
import { PageHealthService } from './page-health.service';
import { PagesService } from './pages.service';

@ApiTags('pages')
@ApiBearerAuth()
@Controller('api/pages')
export class PagesController {
  constructor(
    private readonly pages: PagesService,
    private readonly health: PageHealthService,
    private readonly messenger: MessengerClient,
  ) {}

  @Post()
  @ApiOperation({
    summary: 'Register a Page; the access token and app secret are stored encrypted',
  })
  register(@Body() input: RegisterPageDto): Promise<PageView> {
    return this.pages.register(input);
  }

  @Get()
  @ApiOperation({ summary: 'List Pages' })
  async list(): Promise<{ items: PageView[] }> {
    return { items: await this.pages.list() };
  }

  @Get(':pageId')
  get(@Param() { pageId }: PageIdParam): Promise<PageView> {
    return this.pages.get(pageId);
  }

  @Patch(':pageId')
  @ApiOperation({ summary: 'Rename a Page or rotate its access token or app secret' })
  update(@Param() { pageId }: PageIdParam, @Body() input: UpdatePageDto): Promise<PageView> {
    return this.pages.update(pageId, input);
  }

  @Get(':pageId/testers')
  @ApiOperation({ summary: 'The PSIDs a campaign is test-sent to with {testers: true}' })
  async testers(@Param() { pageId }: PageIdParam): Promise<{ psids: string[] }> {
    return { psids: await this.pages.testers(pageId) };
  }

  @Put(':pageId/testers')
  @ApiOperation({
    summary:
      'Replace the Page’s testers: at most 10 PSIDs, each once; 400 naming psids[i] otherwise',
  })
  async setTesters(
    @Param() { pageId }: PageIdParam,
    @Body() { psids }: TestersDto,
  ): Promise<{ psids: string[] }> {
    return { psids: await this.pages.setTesters(pageId, psids) };
  }

  @Post(':pageId/test-message')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Check a Page connection: send one plain text to a PSID now (UPDATE); 422 when Facebook refuses, 502 when unreachable; refreshes the Page health',
  })
  async testMessage(@Param() { pageId }: PageIdParam, @Body() input: TestMessageDto) {
    const credentials = await this.pages.credentials(pageId);
    const request = sendMessageBody({
      recipient: { id: input.psid },
      messagingType: 'UPDATE',
      message: textMessage(input.text),
    });
    const result = await this.messenger.sendMessage(credentials, request);
    // The connection check refreshes the Page's health either way.
    if (result.ok) await this.health.recordSuccess(pageId);
    else if (result.failure.class === 'page_fatal')
      await this.health.recordFailure(pageId, result.failure);
    const sent = valueOrGraphError(result);
    return { ok: true, messageId: sent.messageId, recipientId: sent.recipientId, request };
  }
}
