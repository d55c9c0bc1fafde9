/**
 * The thread routes: pass, take and request thread control and read the owner
 * through the Messenger client with the Page's credentials. Each success updates
 * the stored owner, so campaigns skip a thread handed to another app at once,
 * without waiting for the webhook.
 */
import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import { valueOrGraphError } from '../messenger/graph-answer';
import { MessengerClient } from '../messenger/messenger-client.service';
import { PAGE_INBOX_APP_ID } from '../messenger/payloads';
import { PagesService } from '../pages/pages.service';
import { storedOwner } from './handover-rules';
import { ThreadOwnersService } from './thread-owners.service';

@Injectable()
export class ThreadControlService {
  constructor(
    private readonly pages: PagesService,
    private readonly messenger: MessengerClient,
    private readonly owners: ThreadOwnersService,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  async pass(
    pageId: string,
    psid: string,
    targetAppId = PAGE_INBOX_APP_ID,
    metadata?: string,
  ): Promise<{ ok: true }> {
    const credentials = await this.pages.credentials(pageId);
    valueOrGraphError(
      await this.messenger.passThreadControl(credentials, psid, targetAppId, metadata),
    );
    await this.owners.recordOwner(pageId, psid, {
      appId: storedOwner(targetAppId, this.config.appId),
      at: this.clock.now(),
      source: 'api_pass',
      previousAppId: this.config.appId ?? null,
      metadata,
    });
    return { ok: true };
  }

  async take(pageId: string, psid: string, metadata?: string): Promise<{ ok: true }> {
    const credentials = await this.pages.credentials(pageId);
    valueOrGraphError(await this.messenger.takeThreadControl(credentials, psid, metadata));
    await this.owners.recordOwner(pageId, psid, {
      appId: null,
      at: this.clock.now(),
      source: 'api_take',
      metadata,
    });
    return { ok: true };
  }

  /** Asks the owner for the thread; the owner stays until it passes the thread (a webhook says so). */
  async request(pageId: string, psid: string, metadata?: string): Promise<{ ok: true }> {
    const credentials = await this.pages.credentials(pageId);
    valueOrGraphError(await this.messenger.requestThreadControl(credentials, psid, metadata));
    return { ok: true };
  }

  /** Facebook's answer is the truth now: it also refreshes the stored owner. */
  async owner(
    pageId: string,
    psid: string,
  ): Promise<{ appId: string | null; ownedByThisApp: boolean }> {
    const credentials = await this.pages.credentials(pageId);
    const { appId } = valueOrGraphError(await this.messenger.getThreadOwner(credentials, psid));
    await this.owners.recordOwner(pageId, psid, {
      appId: storedOwner(appId, this.config.appId),
      at: this.clock.now(),
      source: 'api_owner',
    });
    return { appId, ownedByThisApp: appId !== null && appId === this.config.appId };
  }
}
