import { Injectable, Logger } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { createHmac, hkdfSync } from 'node:crypto';
import { Clock } from '../common/clock';
import { isDuplicateKeyError } from '../common/mongo-errors';
import { SecretBox } from '../common/secret-box';
import { AppConfig } from '../config/app-config';
import type { MessagingEvent, WebhookEventContext } from '../webhooks/messaging-event';
import { parseOptin, type OptinToken } from './token-rules';
import { NotificationToken } from './token.schema';

const valueContext = (tokenId: string): string => `token:${tokenId}:value`;

@Injectable()
export class TokensService {
  private readonly logger = new Logger(TokensService.name);
  /** Keys token ids; derived from the encryption key so an id says nothing about the value. */
  private readonly idKey: Buffer;

  constructor(
    @InjectModel(NotificationToken.name) private readonly tokens: Model<NotificationToken>,
    private readonly secrets: SecretBox,
    private readonly clock: Clock,
    config: AppConfig,
  ) {
    this.idKey = Buffer.from(
      hkdfSync('sha256', config.encryptionKey, Buffer.alloc(0), 'notification-token-id', 32),
    );
  }

  /**
   * Applies an opt-in webhook event (`optin` in a `messaging` or `standby` entry).
   * Idempotent: a token is keyed by its value, so the same opt-in twice stores one.
   */
  async applyOptin(context: WebhookEventContext, event: MessagingEvent): Promise<void> {
    const change = parseOptin(event, context.receivedAt);
    if (!change) return;
    const psid = event.sender?.id;
    const userRef =
      event.sender?.user_ref ?? stringField((event.optin as Record<string, unknown>).user_ref);
    if (!psid && !userRef) {
      this.logger.warn(`opt-in event ${context.eventId} names no sender; ignored`);
      return;
    }
    const owner = { pageId: context.pageId, psid, userRef };
    if (change.token) {
      await this.store(
        owner,
        change.token,
        context.eventId,
        change.action === 'status' ? change.to : 'active',
      );
    }
    if (change.action === 'status' && psid) {
      // STOP and RESUME concern every marketing-message token the user gave the Page.
      await this.tokens.updateMany(
        {
          pageId: context.pageId,
          psid,
          kind: 'notification_messages',
          status: change.to === 'stopped' ? 'active' : 'stopped',
        },
        { $set: { status: change.to, updatedAt: this.clock.now() } },
      );
    }
  }

  private async store(
    owner: { pageId: string; psid?: string; userRef?: string },
    token: OptinToken,
    eventId: string,
    status: 'active' | 'stopped',
  ): Promise<void> {
    const id = this.tokenId(owner.pageId, token.kind, token.value);
    const details = {
      expiresAt: token.expiresAt,
      frequency: token.frequency,
      timezone: token.timezone,
      userTokenStatus: token.userTokenStatus,
      title: token.title,
    };
    try {
      await this.tokens.create({
        _id: id,
        ...owner,
        kind: token.kind,
        topic: token.topic,
        valueSealed: this.secrets.seal(token.value, valueContext(id)),
        status,
        createdAt: token.optedInAt,
        ...details,
        eventId,
        updatedAt: this.clock.now(),
      });
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      // Known token: a re-opt-in (Facebook's "Continue messages") refreshes its expiry.
      if (token.kind === 'notification_messages') {
        await this.tokens.updateOne(
          { _id: id, expiresAt: { $lt: token.expiresAt } },
          { $set: { ...details, updatedAt: this.clock.now() } },
        );
      }
    }
  }

  private tokenId(pageId: string, kind: string, value: string): string {
    return createHmac('sha256', this.idKey)
      .update(`${pageId}\n${kind}\n${value}`)
      .digest('base64url');
  }
}

function stringField(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}
