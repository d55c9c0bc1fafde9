import { Body, Controller, Get, HttpCode, Post, Put, Query, UsePipes } from '@nestjs/common';
import { createValidationPipe } from '../common/validation';
import { SandboxService } from './sandbox.service';
import { pageWebhook, templateStatusWebhook } from './webhook-events';
import {
  SandboxNotificationStatusDto,
  SandboxOptinDto,
  SandboxPageDto,
  SandboxPsidDto,
  SandboxScenarioDto,
  SandboxTemplateStatusDto,
  SandboxThreadOwnerDto,
  SandboxWebhookDto,
} from './sandbox.dto';

/** Scripting for tests, the demo and benchmarks run against a standalone sandbox. */
@Controller('_sandbox')
@UsePipes(createValidationPipe())
export class SandboxControlController {
  constructor(private readonly sandbox: SandboxService) {}

  @Post('pages')
  @HttpCode(204)
  addPage(@Body() page: SandboxPageDto): void {
    this.sandbox.addPage(page);
  }

  @Put('scenario')
  @HttpCode(204)
  setScenario(@Body() scenario: SandboxScenarioDto): void {
    this.sandbox.setScenario(scenario);
  }

  @Post('reset')
  @HttpCode(204)
  reset(): void {
    this.sandbox.reset();
  }

  @Get('requests')
  requests(@Query('endpoint') endpoint?: string, @Query('psid') psid?: string) {
    return { items: this.sandbox.requests({ endpoint, psid }) };
  }

  @Post('thread-owners')
  @HttpCode(204)
  setThreadOwner(@Body() body: SandboxThreadOwnerDto): void {
    this.sandbox.setThreadOwner(body.psid, body.appId);
  }

  @Post('notification-tokens')
  issueToken(@Body() body: SandboxPsidDto): { token: string } {
    return { token: this.sandbox.issueNotificationToken(body.psid) };
  }

  /** Issues a token as the user's tap on an opt-in request would: answers it, the event, and the webhook's answer when sent. */
  @Post('optins')
  @HttpCode(200)
  async optIn(@Body() { pageId, psid, url, ...optin }: SandboxOptinDto) {
    const { token, event } = this.sandbox.optIn(pageId, psid, optin);
    const webhook = url
      ? await this.sandbox.sendWebhook(url, pageWebhook(pageId, [event]))
      : undefined;
    return { token, event, ...(webhook ? { webhook } : {}) };
  }

  @Post('notification-status')
  @HttpCode(200)
  async notificationStatus(@Body() { pageId, psid, status, url }: SandboxNotificationStatusDto) {
    const event = this.sandbox.setNotificationStatus(pageId, psid, status);
    const webhook = url
      ? await this.sandbox.sendWebhook(url, pageWebhook(pageId, [event]))
      : undefined;
    return { event, ...(webhook ? { webhook } : {}) };
  }

  /** Facebook's review of a template: its status changes, and with `url` the status webhook is sent there. */
  @Post('template-status')
  @HttpCode(200)
  async templateStatus(
    @Body() { pageId, name, language, status, reason, url }: SandboxTemplateStatusDto,
  ) {
    const event = this.sandbox.setTemplateStatus(pageId, name, language, status, reason);
    const webhook = url
      ? await this.sandbox.sendWebhook(url, templateStatusWebhook(pageId, event))
      : undefined;
    return { event, ...(webhook ? { webhook } : {}) };
  }

  @Post('webhooks')
  @HttpCode(200)
  sendWebhook(@Body() body: SandboxWebhookDto) {
    return this.sandbox.sendWebhook(body.url, body.payload);
  }
}
