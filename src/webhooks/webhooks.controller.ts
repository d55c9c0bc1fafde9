import {
  Controller,
  ForbiddenException,
  Get,
  Header,
  Headers,
  HttpCode,
  Logger,
  Post,
  Query,
  Req,
  Res,
  UnauthorizedException,
  type RawBodyRequest,
} from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import { isValidHubSignature } from '../common/hub-signature';
import { PublicRoute } from '../common/public-route.decorator';
import { AppConfig } from '../config/app-config';
import { WebhookMetrics } from './webhook-metrics';
import { WebhooksService } from './webhooks.service';

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/**
 * Facebook's side of the connector (SPEC §5): no bearer token, the app secret's
 * signature instead. The body size cap is JSON_BODY_LIMIT_BYTES (413 above it).
 */
@ApiTags('webhook')
@PublicRoute()
@Controller('webhooks/messenger')
export class WebhooksController {
  private readonly logger = new Logger(WebhooksController.name);

  constructor(
    private readonly webhooks: WebhooksService,
    private readonly metrics: WebhookMetrics,
    private readonly config: AppConfig,
  ) {}

  /** The subscription check: echo the challenge when the verify token matches (compared in constant time). */
  @Get()
  // Plain text: the echoed challenge is never rendered as a page.
  @Header('Content-Type', 'text/plain')
  @ApiOperation({ summary: "Facebook's subscription check: echoes hub.challenge (403 otherwise)" })
  verify(
    @Query('hub.mode') mode: unknown,
    @Query('hub.verify_token') token: unknown,
    @Query('hub.challenge') challenge: unknown,
  ): string {
    const expected = this.config.webhookVerifyToken;
    const matches =
      expected !== undefined &&
      typeof token === 'string' &&
      timingSafeEqual(digest(token), digest(expected));
    if (mode !== 'subscribe' || !matches || typeof challenge !== 'string')
      throw new ForbiddenException('the verify token does not match');
    return challenge;
  }

  /**
   * Verifies the signature over the bytes as received, stores the body (one
   * insert), answers 200, then processes it. A redelivered body is acknowledged
   * and not processed again.
   */
  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Webhook events from Facebook, signed with X-Hub-Signature-256 (401 otherwise)',
  })
  async receive(
    @Req() req: RawBodyRequest<Request>,
    @Res({ passthrough: true }) res: Response,
    @Headers('x-hub-signature-256') signature: string | undefined,
  ): Promise<string> {
    const secret = this.config.appSecret;
    if (!secret) this.logger.error('APP_SECRET is not set: every webhook is refused');
    if (!secret || !req.rawBody || !isValidHubSignature(req.rawBody, signature, secret)) {
      this.metrics.bodies.inc({ result: 'bad_signature' });
      throw new UnauthorizedException('X-Hub-Signature-256 does not match the body');
    }
    const stored = await this.webhooks.store(req.rawBody);
    if (stored.fresh) {
      const body: unknown = req.body;
      // 'close' follows the answer, and an aborted one too: either way the body is stored.
      res.once('close', () => this.webhooks.processAfterAnswer(stored.id, body, stored.receivedAt));
    }
    res.type('text/plain');
    return 'EVENT_RECEIVED';
  }
}
