import { Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { createHmac, hkdfSync } from 'node:crypto';
import { Clock } from '../common/clock';
import { isDuplicateKeyError } from '../common/mongo-errors';
import { SecretBox } from '../common/secret-box';
import { AppConfig } from '../config/app-config';
import type { MessagingEvent, WebhookEventContext } from '../webhooks/messaging-event';
import {
  effectiveStatus,
  firstMissing,
  nextAllowedAt,
  parseOptin,
  settledStatus,
  useKeyOf,
  type OptinToken,
  type TokenKind,
  type TokenOutcome,
} from './token-rules';
import { NotificationToken, TokenUse } from './token.schema';
import type { TokenView } from './token.dto';

const valueContext = (tokenId: string): string => `token:${tokenId}:value`;
/** Expired tokens stay listed this long, then the sweep deletes them and their uses. */
const KEEP_EXPIRED_MS = 30 * 24 * 60 * 60 * 1000;
const SWEEP_INTERVAL_MS = 60 * 60 * 1000;

/** A token taken for one send: the value goes in the recipient, the rest to `settle`. */
export interface TokenClaim {
  claimed: true;
  tokenId: string;
  /** The use record's key (the claim). */
  useId: string;
  kind: TokenKind;
  pageId: string;
  psid: string;
  topic: string;
  value: string;
  /** The Send API recipient that spends it. */
  recipient: { one_time_notif_token: string } | { notification_messages_token: string };
}

/** No token could be claimed: none usable, or (marketing messages) none whose frequency allows a send now. */
export interface TokenUnavailable {
  claimed: false;
  reason: 'no_token' | 'frequency_cap';
  /** With frequency_cap: the earliest time a token of the topic may be used again. */
  nextAllowedAt?: Date;
}

type LeanToken = NotificationToken;

@Injectable()
export class TokensService {
  private readonly logger = new Logger(TokensService.name);
  /** Keys token ids; derived from the encryption key so an id says nothing about the value. */
  private readonly idKey: Buffer;

  constructor(
    @InjectModel(NotificationToken.name) private readonly tokens: Model<NotificationToken>,
    @InjectModel(TokenUse.name) private readonly uses: Model<TokenUse>,
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

  /**
   * PSIDs of the Page holding an active, unexpired token of the kind and topic:
   * read once per run, so the engine never queries per user for those without one.
   * A marketing-message holder may still be refused by its frequency at claim time.
   */
  async holders(pageId: string, kind: TokenKind, topic: string): Promise<Set<string>> {
    const rows = await this.tokens
      .find(
        { pageId, kind, topic, status: 'active', expiresAt: { $gt: this.clock.now() } },
        { psid: 1 },
      )
      .lean();
    return new Set(rows.flatMap((row) => (row.psid ? [row.psid] : [])));
  }

  /**
   * Takes the user's oldest usable token of the kind and topic for one send, by
   * inserting its use under a unique key (SPEC §8): of several workers claiming at
   * once, one wins each key. `useKey` names the taker (a delivery, a test-send).
   */
  async claim(
    pageId: string,
    psid: string,
    kind: TokenKind,
    topic: string,
    useKey: string,
  ): Promise<TokenClaim | TokenUnavailable> {
    const now = this.clock.now();
    const candidates = await this.tokens
      .find({ pageId, psid, kind, topic, status: 'active', expiresAt: { $gt: now } })
      .sort({ createdAt: 1, _id: 1 })
      .lean<LeanToken[]>();
    let capUntil: Date | undefined;
    for (const token of candidates) {
      const slot = kind === 'otn' ? 1 : await this.nextSlot(token, now);
      if (slot instanceof Date) {
        capUntil = capUntil && capUntil < slot ? capUntil : slot;
        continue;
      }
      const useId = useKeyOf(kind, token._id, slot);
      try {
        await this.uses.create({ _id: useId, tokenId: token._id, pageId, useKey, claimedAt: now });
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
        // Someone else spent it (OTN) or took this use (marketing messages): try the next token.
        if (kind === 'notification_messages') capUntil ??= nextAllowedAt(token.frequency, now);
        continue;
      }
      const value = this.secrets.open(token.valueSealed, valueContext(token._id));
      return {
        claimed: true,
        tokenId: token._id,
        useId,
        kind,
        pageId,
        psid,
        topic,
        value,
        recipient:
          kind === 'otn' ? { one_time_notif_token: value } : { notification_messages_token: value },
      };
    }
    return capUntil
      ? { claimed: false, reason: 'frequency_cap', nextAllowedAt: capUntil }
      : { claimed: false, reason: 'no_token' };
  }

  /**
   * Records what became of a claimed token's send. An OTN is spent whatever the
   * outcome (consumed, invalid, or unknown when the answer was lost); a marketing-
   * message token stays active unless Facebook called it invalid, and its use,
   * kept whatever happened, is what its frequency counts from.
   */
  async settle(claim: TokenClaim, outcome: TokenOutcome): Promise<void> {
    const now = this.clock.now();
    await this.uses.updateOne({ _id: claim.useId }, { $set: { outcome, settledAt: now } });
    const status = settledStatus(claim.kind, outcome);
    if (status === 'active') return;
    // Only the claim's holder writes an OTN after its claim; STOP never touches one.
    await this.tokens.updateOne(
      { _id: claim.tokenId },
      { $set: { status, lastUsedAt: now, updatedAt: now } },
    );
  }

  /** A user's tokens of the Page, newest first, without their values. */
  async list(pageId: string, psid: string): Promise<TokenView[]> {
    const now = this.clock.now();
    const tokens = await this.tokens
      .find({ pageId, psid })
      .sort({ createdAt: -1, _id: 1 })
      .lean<LeanToken[]>();
    return Promise.all(
      tokens.map(async (token) => {
        const lastUse =
          token.kind === 'notification_messages' ? await this.lastUse(token) : undefined;
        const lastUsedAt = lastUse?.claimedAt ?? token.lastUsedAt;
        // An OTN claimed but not settled (in flight, or its sender crashed) is spent: its fate is unknown.
        const unsettled =
          token.kind === 'otn' && token.status === 'active' && (await this.useExists(token._id));
        return {
          id: token._id,
          kind: token.kind,
          topic: token.topic,
          status: unsettled ? 'unknown' : effectiveStatus(token, now),
          createdAt: token.createdAt,
          expiresAt: token.expiresAt,
          ...(token.frequency ? { frequency: token.frequency } : {}),
          ...(token.timezone ? { timezone: token.timezone } : {}),
          ...(token.userTokenStatus ? { userTokenStatus: token.userTokenStatus } : {}),
          ...(token.title ? { title: token.title } : {}),
          ...(lastUsedAt ? { lastUsedAt } : {}),
          ...(lastUse ? { nextAllowedAt: nextAllowedAt(token.frequency, lastUse.claimedAt) } : {}),
        };
      }),
    );
  }

  /**
   * Deletes tokens expired for a while, and their uses. Reading never uses an
   * expired token (see effectiveStatus and the claim filter); this only keeps
   * the collection small. A periodic delete, since FerretDB has no TTL index.
   */
  @Interval(SWEEP_INTERVAL_MS)
  async sweepExpired(): Promise<number> {
    const before = new Date(this.clock.now().getTime() - KEEP_EXPIRED_MS);
    const expired = await this.tokens.find({ expiresAt: { $lt: before } }, { _id: 1 }).lean();
    if (expired.length === 0) return 0;
    const ids = expired.map((token) => token._id);
    await this.uses.deleteMany({ tokenId: { $in: ids } });
    await this.tokens.deleteMany({ _id: { $in: ids } });
    return ids.length;
  }

  /** The number of the token's next use, or the time before which its frequency forbids one. */
  private async nextSlot(token: LeanToken, now: Date): Promise<number | Date> {
    const next = await firstMissing((n) => this.useExists(useKeyOf(token.kind, token._id, n)));
    if (next === 1) return 1;
    const last = await this.uses.findById(useKeyOf(token.kind, token._id, next - 1)).lean();
    // Gone since it was seen: its token was swept, so nothing remains to count from.
    if (!last) return next;
    const allowedAt = nextAllowedAt(token.frequency, last.claimedAt);
    return allowedAt.getTime() > now.getTime() ? allowedAt : next;
  }

  private async lastUse(token: LeanToken): Promise<TokenUse | undefined> {
    const next = await firstMissing((n) => this.useExists(useKeyOf(token.kind, token._id, n)));
    if (next === 1) return undefined;
    return (
      (await this.uses.findById(useKeyOf(token.kind, token._id, next - 1)).lean()) ?? undefined
    );
  }

  private async useExists(id: string): Promise<boolean> {
    return (await this.uses.exists({ _id: id })) !== null;
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
      // Known token: a re-opt-in (Facebook's "Continue messages") extends its expiry.
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
