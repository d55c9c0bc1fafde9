/**
 * Applies the events of one stored webhook body to each capability: users
 * (capture, opt-out), receipts, tokens, thread owners, Page health and campaigns,
 * template statuses. Every handler is idempotent, so a body processed again after
 * a failure changes nothing that was already applied.
 */
import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { UsersRepository } from '../audience/users.repository';
import { UsersService } from '../audience/users.service';
import { PagePauses } from '../campaigns/page-pauses.service';
import { ApiError } from '../common/api-error';
import { isDuplicateKeyError } from '../common/mongo-errors';
import { AppConfig } from '../config/app-config';
import { OutcomesService } from '../delivery/outcomes.service';
import { ThreadOwnersService } from '../handover/thread-owners.service';
import { PageHealthService } from '../pages/page-health.service';
import { PagesService } from '../pages/pages.service';
import { TemplatesService } from '../templates/templates.service';
import { TokensService } from '../tokens/tokens.service';
import { KeyedSerial } from './keyed-serial';
import type { WebhookEventContext } from './messaging-event';
import { TemplateStatusRecord } from './webhook-event.schema';
import { WebhookMetrics } from './webhook-metrics';
import {
  eventKind,
  inboundOf,
  isOptOut,
  isProblem,
  metricLabel,
  policyActionOf,
  receiptOf,
  templateStatusOf,
  webhookItems,
  type EventKind,
  type Problem,
  type WebhookChange,
  type WebhookItem,
} from './webhook-payload';

export interface RouteResult {
  refused: { position: string; reason: string }[];
}

/** What happened to one event, for the count. */
type Outcome = 'applied' | 'ignored' | 'refused';

@Injectable()
export class WebhookRouter {
  /** One PSID's events (or one Page's, for Page-level events) in order, across bodies too. */
  private readonly serial = new KeyedSerial();

  constructor(
    private readonly users: UsersService,
    private readonly usersRepository: UsersRepository,
    private readonly outcomes: OutcomesService,
    private readonly tokens: TokensService,
    private readonly threadOwners: ThreadOwnersService,
    private readonly pages: PagesService,
    private readonly health: PageHealthService,
    private readonly pauses: PagePauses,
    private readonly metrics: WebhookMetrics,
    private readonly config: AppConfig,
    @InjectModel(TemplateStatusRecord.name)
    private readonly templates: Model<TemplateStatusRecord>,
    private readonly utilityTemplates: TemplatesService,
  ) {}

  /**
   * Applies every event of the body; throws when one fails in a way a retry may
   * fix (the whole body is then retried), and a Problem when the body can never be
   * processed. Events are counted once the body is through.
   */
  async route(storedId: string, body: unknown, receivedAt: Date): Promise<RouteResult | Problem> {
    const parsed = webhookItems(body);
    if (isProblem(parsed)) return parsed;
    const registered = await this.registeredPages([
      ...new Set([...parsed.items, ...parsed.changes].map((item) => item.pageId)),
    ]);
    const refused: RouteResult['refused'] = [];
    const counted: { type: string; outcome: Outcome }[] = [];
    const groups = new Map<string, WebhookItem[]>();
    for (const item of parsed.items) {
      const key = `${item.pageId}:${item.event.sender?.id ?? ''}`;
      groups.set(key, [...(groups.get(key) ?? []), item]);
    }
    await Promise.all(
      [...groups].map(([key, items]) =>
        this.serial.run(key, async () => {
          for (const item of items) {
            const context: WebhookEventContext = {
              pageId: item.pageId,
              field: item.field,
              eventId: `${storedId}:${item.position}`,
              receivedAt,
            };
            const kind = eventKind(item.event);
            const type = 'kind' in kind ? kind.kind : kind.unknown;
            if (!('kind' in kind) || !registered.has(item.pageId)) {
              counted.push({ type, outcome: 'ignored' });
              continue;
            }
            const problem = await this.refusal(() => this.apply(kind.kind, context, item));
            if (problem) refused.push({ position: item.position, reason: problem });
            counted.push({ type, outcome: problem ? 'refused' : 'applied' });
          }
        }),
      ),
    );
    for (const change of parsed.changes) {
      const type = metricLabel(change.field);
      if (change.field !== 'message_template_status_update' || !registered.has(change.pageId)) {
        counted.push({ type, outcome: 'ignored' });
        continue;
      }
      const problem = await this.refusal(() =>
        this.templateStatus(change, `${storedId}:${change.position}`, receivedAt),
      );
      if (problem) refused.push({ position: change.position, reason: problem });
      counted.push({ type, outcome: problem ? 'refused' : 'applied' });
    }
    for (const { type, outcome } of counted) this.metrics.events.inc({ type, outcome });
    return { refused };
  }

  /** Runs a handler; the reason when it refuses the event for good (a 400), undefined when applied. */
  private async refusal(handler: () => Promise<Problem | void>): Promise<string | undefined> {
    try {
      const result = await handler();
      return result ? result.problem : undefined;
    } catch (error) {
      if (error instanceof ApiError && error.getStatus() === 400) return error.message;
      throw error;
    }
  }

  private async apply(
    kind: EventKind,
    context: WebhookEventContext,
    item: WebhookItem,
  ): Promise<Problem | void> {
    const { event } = item;
    switch (kind) {
      case 'message':
      case 'postback':
      case 'referral':
        return this.inbound(kind, context.pageId, item);
      case 'delivery':
      case 'read': {
        const receipt = receiptOf(kind, event);
        if (isProblem(receipt)) return receipt;
        const { psid, ...rest } = receipt;
        return this.outcomes.applyReceipt(context.pageId, psid, rest);
      }
      case 'optin':
        return this.tokens.applyOptin(context, event);
      case 'pass_thread_control':
      case 'take_thread_control':
      case 'request_thread_control':
      case 'app_roles':
        return this.threadOwners.applyHandover(context, event);
      case 'policy_enforcement':
        return this.policy(context.pageId, item);
      case 'echo':
        // The Page's own messages: nothing to capture.
        return;
    }
  }

  private async inbound(
    kind: 'message' | 'postback' | 'referral',
    pageId: string,
    item: WebhookItem,
  ): Promise<Problem | void> {
    const inbound = inboundOf(kind, item.event);
    if (isProblem(inbound)) return inbound;
    await this.users.recordInbound(pageId, inbound.psid, inbound.at, { fromAd: inbound.fromAd });
    await this.usersRepository.recordLastInbound(pageId, inbound.psid, inbound.last);
    if (isOptOut(inbound.text, this.config.webhook.optOutKeywords))
      await this.usersRepository.suppress(pageId, inbound.psid, 'opt_out_keyword');
  }

  /**
   * `block`: the Page's health first (so it is never behind its paused campaigns),
   * then the pauses; `unblock` lifts the mark only. `warning` is counted, nothing more.
   */
  private async policy(pageId: string, item: WebhookItem): Promise<Problem | void> {
    const policy = policyActionOf(item.event);
    if (isProblem(policy)) return policy;
    if (policy.action === 'block') {
      const running = await this.pauses.running(pageId);
      await this.health.recordPolicyBlock(
        pageId,
        policy.reason,
        running.map((campaign) => String(campaign._id)),
      );
      for (const campaign of running)
        await this.pauses.pause(campaign, `policy_block: ${policy.reason ?? 'no reason given'}`);
    } else if (policy.action === 'unblock') {
      await this.health.clearPolicyBlock(pageId);
    }
  }

  private async templateStatus(
    change: WebhookChange,
    eventId: string,
    receivedAt: Date,
  ): Promise<Problem | void> {
    const update = templateStatusOf(change.value);
    if (isProblem(update)) return update;
    try {
      await this.templates.create({ _id: eventId, pageId: change.pageId, ...update, receivedAt });
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
    await this.utilityTemplates.applyStatusUpdate(change.pageId, update, eventId, receivedAt);
  }

  /** Which of these Pages are registered: events for the others are stored and ignored. */
  private async registeredPages(pageIds: string[]): Promise<Set<string>> {
    const found = await Promise.all(
      pageIds.map((pageId) =>
        this.pages.get(pageId).then(
          () => pageId,
          (error: unknown) => {
            if (error instanceof ApiError && error.getStatus() === 404) return undefined;
            throw error;
          },
        ),
      ),
    );
    return new Set(found.filter((pageId): pageId is string => pageId !== undefined));
  }
}
