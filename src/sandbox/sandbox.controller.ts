import {
  All,
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  Post,
  Put,
  Query,
  Req,
  Res,
  UsePipes,
} from '@nestjs/common';
import { createValidationPipe } from '../common/validation';
import type { Request, Response } from 'express';
import { SandboxService } from './sandbox.service';
import {
  SandboxPageDto,
  SandboxPsidDto,
  SandboxScenarioDto,
  SandboxThreadOwnerDto,
  SandboxWebhookDto,
} from './sandbox.dto';

/** The fake Graph API: `/{version}/me/{endpoint}` (a Page id works in place of `me`). */
@Controller()
export class SandboxGraphController {
  constructor(private readonly sandbox: SandboxService) {}

  @All(':version/:node/:endpoint')
  async graph(
    @Param('version') version: string,
    @Param('endpoint') endpoint: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const answer = await this.sandbox.handle({
      method: req.method,
      version,
      endpoint,
      query: req.query as Record<string, unknown>,
      authorization: req.headers.authorization,
      body: req.body as unknown,
      clientPort: req.socket.remotePort,
    });
    if (answer === 'connection_reset') {
      // The body was read: the request reached "Facebook", but no answer comes back.
      req.socket.destroy();
      return;
    }
    res
      .status(answer.status)
      .set(answer.headers ?? {})
      .json(answer.body);
  }
}

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

  @Post('webhooks')
  @HttpCode(200)
  sendWebhook(@Body() body: SandboxWebhookDto) {
    return this.sandbox.sendWebhook(body.url, body.payload);
  }
}
