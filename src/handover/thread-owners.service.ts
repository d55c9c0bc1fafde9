/**
 * Keeps the thread owner per user current (SPEC §1.8, §5): from handover webhooks
 * (`applyHandover`) and from this connector's own pass, take and owner reads. The
 * owner lives in `thread_owners` with the time Facebook set it, and is mirrored
 * onto the user (`threadOwnerAppId`), which eligibility reads.
 */
import { Injectable, Logger } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { UsersRepository } from '../audience/users.repository';
import { isDuplicateKeyError } from '../common/mongo-errors';
import { AppConfig } from '../config/app-config';
import type { MessagingEvent, WebhookEventContext } from '../webhooks/messaging-event';
import { handoverChange } from './handover-rules';
import { PageAppRoles, ThreadControlRequest, ThreadOwner } from './handover.schema';

/** A new owner of one PSID's thread; `appId` null when it is this connector or nobody. */
export interface OwnerChange {
  appId: string | null;
  at: Date;
  source: string;
  previousAppId?: string | null;
  metadata?: string;
}

@Injectable()
export class ThreadOwnersService {
  private readonly logger = new Logger(ThreadOwnersService.name);
  /** One warning per process is enough to point at the missing setting. */
  private warnedWithoutAppId = false;

  constructor(
    @InjectModel(ThreadOwner.name) private readonly owners: Model<ThreadOwner>,
    @InjectModel(ThreadControlRequest.name)
    private readonly requests: Model<ThreadControlRequest>,
    @InjectModel(PageAppRoles.name) private readonly appRoles: Model<PageAppRoles>,
    private readonly users: UsersRepository,
    private readonly config: AppConfig,
  ) {}

  /**
   * Applies one `messaging_handovers` event (pass, take, request thread control,
   * app_roles) of a Page's `messaging` or `standby` entry. Idempotent: the same
   * event twice writes the same values; an event older than the stored owner
   * changes nothing. Events that are not handovers, or malformed, are ignored.
   */
  async applyHandover(context: WebhookEventContext, event: MessagingEvent): Promise<void> {
    const change = handoverChange(event, this.config.appId);
    if (!change) return;
    if (!this.config.appId && !this.warnedWithoutAppId) {
      this.warnedWithoutAppId = true;
      this.logger.warn(
        'APP_ID is not set: a thread handed back to this app counts as another app’s, and its user stays skipped',
      );
    }
    switch (change.kind) {
      case 'owner':
        await this.recordOwner(context.pageId, change.psid, {
          appId: change.ownerAppId,
          at: change.at,
          source: change.via,
          previousAppId: change.previousOwnerAppId,
          metadata: change.metadata,
        });
        return;
      case 'request':
        await this.recordRequest(context.pageId, change);
        return;
      case 'app_roles':
        await this.recordAppRoles(context.pageId, change.roles, change.at);
        return;
    }
  }

  /**
   * Stores `change` as the owner of the PSID's thread unless a newer one is stored,
   * then mirrors it onto the user. True when it was stored. The timestamp guard is
   * a filter of an upsert: a newer stored owner makes the upsert insert, which the
   * `_id` refuses. On FerretDB that is not atomic against a concurrent writer of
   * the same PSID; the webhook applies one PSID's events in order.
   */
  async recordOwner(pageId: string, psid: string, change: OwnerChange): Promise<boolean> {
    const _id = `${pageId}:${psid}`;
    try {
      await this.owners
        .updateOne(
          { _id, at: { $lte: change.at } },
          {
            $set: {
              pageId,
              psid,
              appId: change.appId,
              at: change.at,
              source: change.source,
              previousAppId: change.previousAppId ?? null,
              ...(change.metadata === undefined ? {} : { metadata: change.metadata }),
            },
            ...(change.metadata === undefined ? { $unset: { metadata: 1 } } : {}),
          },
          { upsert: true },
        )
        .exec();
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      this.logger.debug(`older thread owner for ${_id} ignored (${change.source})`);
      return false;
    }
    // A retry after a failure here writes both again: the stored `at` equals the event's.
    await this.users.setThreadOwner(pageId, psid, change.appId);
    return true;
  }

  /** The stored owner of a PSID's thread, or undefined when none was ever recorded. */
  async ownerOf(pageId: string, psid: string): Promise<ThreadOwner | undefined> {
    return (
      (await this.owners.findById(`${pageId}:${psid}`).lean<ThreadOwner>().exec()) ?? undefined
    );
  }

  /** A Page's app roles from its latest `app_roles` event, or undefined. */
  async appRolesOf(pageId: string): Promise<PageAppRoles | undefined> {
    return (await this.appRoles.findById(pageId).lean<PageAppRoles>().exec()) ?? undefined;
  }

  private async recordRequest(
    pageId: string,
    change: { psid: string; requestedOwnerAppId: string; metadata?: string; at: Date },
  ): Promise<void> {
    const { psid, requestedOwnerAppId, metadata, at } = change;
    try {
      await this.requests.create({
        _id: `${pageId}:${psid}:${at.getTime()}:${requestedOwnerAppId}`,
        pageId,
        psid,
        requestedOwnerAppId,
        at,
        ...(metadata === undefined ? {} : { metadata }),
      });
    } catch (error) {
      // The same event again: already recorded.
      if (!isDuplicateKeyError(error)) throw error;
    }
    this.logger.log(`app ${requestedOwnerAppId} requests the thread of ${psid} (Page ${pageId})`);
  }

  private async recordAppRoles(
    pageId: string,
    roles: Record<string, string[]>,
    at: Date,
  ): Promise<void> {
    try {
      await this.appRoles
        .updateOne({ _id: pageId, at: { $lte: at } }, { $set: { roles, at } }, { upsert: true })
        .exec();
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
  }
}
