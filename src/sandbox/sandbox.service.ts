/**
 * State and behaviour of the fake Graph API: registered Pages and their tokens,
 * thread owners, issued notification tokens, the scripted scenario, and the log
 * of every request received (for assertions).
 */
import { Injectable, NotFoundException } from '@nestjs/common';
import { randomBytes, randomInt } from 'node:crypto';
import { hubSignature, legacyHubSignature } from '../common/hub-signature';
import { asId } from '../common/json';
import { appsecretProof, PAGE_INBOX_APP_ID } from '../messenger/payloads';
import {
  graphErrorAnswer,
  graphMethodException,
  invalidParameter,
  type GraphErrorSpec,
} from './graph-error-bodies';
import {
  handoverRefusal,
  primaryReceiver,
  THREAD_CONTROLLED_BY_OTHER_APP,
  type AppRoles,
} from './handover-roles';
import { notificationStatusEvent, optinEvent } from './optin-events';
import { checkSendRequest } from './send-api-rules';
import { bodyParameterCount, templateDefinitionProblems } from '../templates/template-rules';
import { facebookJson } from './webhook-events';
import type {
  RecordedRequest,
  SandboxOptions,
  SandboxOptin,
  SandboxPage,
  SandboxScenario,
  SandboxTemplate,
  SandboxUsage,
} from './sandbox.types';

export const SANDBOX_OPTIONS = Symbol('SANDBOX_OPTIONS');

export interface GraphCall {
  method: string;
  version: string;
  /** `me` or an object id (the Page's, for templates). */
  node: string;
  endpoint: string;
  query: Record<string, unknown>;
  authorization?: string;
  body: unknown;
  /** The client's source port: the same port on successive calls means a kept-alive socket. */
  clientPort?: number;
}

export type GraphAnswer =
  | { status: number; body: unknown; headers?: Record<string, string> }
  | 'connection_reset';

type Answered = Exclude<GraphAnswer, 'connection_reset'>;

const ok = (body: unknown): Answered => ({ status: 200, body });
const fail = (spec: GraphErrorSpec): Answered => graphErrorAnswer(spec);

/** What a throttled Page sees: every quota used up. */
const EXHAUSTED: Required<SandboxUsage> = { page: 100, app: 100, businessUseCase: 100 };

/**
 * Facebook's usage headers for the given shares: `X-Page-Usage` and `X-App-Usage`
 * as `{call_count, total_cputime, total_time}`, `X-Business-Use-Case-Usage` as one
 * `messenger` record under the Page's id, with minutes to regain access once it is used up.
 */
export function usageHeaders(pageId: string, usage: SandboxUsage): Record<string, string> {
  const shares = (percent: number) => ({
    call_count: percent,
    total_cputime: percent,
    total_time: percent,
  });
  const headers: Record<string, string> = {};
  if (usage.page !== undefined) headers['X-Page-Usage'] = JSON.stringify(shares(usage.page));
  if (usage.app !== undefined) headers['X-App-Usage'] = JSON.stringify(shares(usage.app));
  if (usage.businessUseCase !== undefined) {
    headers['X-Business-Use-Case-Usage'] = JSON.stringify({
      [pageId]: [
        {
          type: 'messenger',
          ...shares(usage.businessUseCase),
          estimated_time_to_regain_access: usage.businessUseCase >= 100 ? 1 : 0,
        },
      ],
    });
  }
  return headers;
}

/** mulberry32: a small seeded generator, so failure injection repeats run to run. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** OTN tokens last a year; the sandbox gives marketing-message tokens half a year. */
const TOKEN_LIFETIME_MS = { one_time_notif_req: 365 * DAY_MS, notification_messages: 182 * DAY_MS };
/**
 * Facebook's least interval between two marketing messages on one token: the
 * user's frequency, never under the 48-hour cooldown. Months are taken as 30 days.
 */
const MARKETING_INTERVAL_MS = { DAILY: 2 * DAY_MS, WEEKLY: 7 * DAY_MS, MONTHLY: 30 * DAY_MS };

/** A notification token the sandbox issued; `pageId` absent: usable by any Page (issueNotificationToken). */
interface IssuedToken {
  pageId?: string;
  psid: string;
  optin: SandboxOptin;
  expiresAt: number;
  used: boolean;
  stopped: boolean;
  lastSentAt?: number;
}

export function messageId(): string {
  return `m_${randomBytes(66).toString('base64url').slice(0, 86)}`;
}

@Injectable()
export class SandboxService {
  readonly appId: string;
  private readonly appSecret?: string;
  private readonly acceptedTags: string[];
  private readonly recordLimit: number;
  private pagesByToken = new Map<string, SandboxPage>();
  private threadOwners = new Map<string, string>();
  private readonly initialAppRoles: AppRoles;
  private appRoles: AppRoles;
  private notificationTokens = new Map<string, IssuedToken>();
  /** Each Page's utility templates. */
  private templates = new Map<string, SandboxTemplate[]>();
  private scenario: SandboxScenario = {};
  private scriptedUses = new Map<string, number>();
  private random = seededRandom(1);
  private recorded: RecordedRequest[] = [];

  constructor(options: SandboxOptions) {
    this.appId = options.appId ?? '1000000000000001';
    this.appSecret = options.appSecret;
    this.acceptedTags = options.acceptedTags ?? ['HUMAN_AGENT'];
    this.recordLimit = options.recordLimit ?? 100_000;
    // As most Pages run: this connector is the primary receiver, the Page Inbox a secondary one.
    this.initialAppRoles = options.appRoles ?? {
      [this.appId]: ['primary_receiver'],
      [PAGE_INBOX_APP_ID]: ['secondary_receiver'],
    };
    this.appRoles = structuredClone(this.initialAppRoles);
    for (const page of options.pages ?? []) this.addPage(page);
  }

  addPage(page: SandboxPage): void {
    this.pagesByToken.set(page.accessToken, { ...page });
  }

  setScenario(scenario: SandboxScenario): void {
    this.scenario = structuredClone(scenario);
    this.scriptedUses.clear();
    this.random = seededRandom(scenario.seed ?? 1);
  }

  /** Forgets the scenario, the recorded requests, thread owners and tokens, and restores the app roles; keeps the Pages. */
  reset(): void {
    this.setScenario({});
    this.recorded = [];
    this.threadOwners.clear();
    this.appRoles = structuredClone(this.initialAppRoles);
    this.notificationTokens.clear();
    this.templates.clear();
  }

  requests(filter: { endpoint?: string; psid?: string } = {}): RecordedRequest[] {
    return this.recorded.filter(
      (request) =>
        (!filter.endpoint || request.path.endsWith(`/${filter.endpoint}`)) &&
        (!filter.psid || recipientOf(request.body) === filter.psid),
    );
  }

  setThreadOwner(psid: string, appId: string): void {
    this.threadOwners.set(psid, appId);
  }

  /** The Page's handover roles, as `app_roles` names them: `{"<app id>": ["primary_receiver"]}`. */
  setAppRoles(roles: AppRoles): void {
    this.appRoles = structuredClone(roles);
  }

  /** Who owns a PSID's thread: the app it was passed to, else the primary receiver; undefined when idle. */
  private threadOwner(psid: string): string | undefined {
    return this.threadOwners.get(psid) ?? primaryReceiver(this.appRoles);
  }

  /** Issues a one-time-notification token for a PSID, as an opt-in would. */
  issueNotificationToken(psid: string): string {
    return this.issue(undefined, psid, { type: 'one_time_notif_req', topic: '' });
  }

  /**
   * The user taps an opt-in request: a token of the Page is issued, and the
   * opt-in event Facebook would send for it is returned (sendWebhook sends it).
   */
  optIn(
    pageId: string,
    psid: string,
    optin: SandboxOptin,
  ): { token: string; event: Record<string, unknown> } {
    const token = this.issue(pageId, psid, optin);
    const { expiresAt } = this.notificationTokens.get(token)!;
    return { token, event: optinEvent(pageId, psid, optin, token, expiresAt) };
  }

  /** The user stops or resumes marketing messages from the Page: every such token of theirs, and the event. */
  setNotificationStatus(
    pageId: string,
    psid: string,
    status: 'STOP NOTIFICATIONS' | 'RESUME NOTIFICATIONS',
  ): Record<string, unknown> {
    for (const token of this.notificationTokens.values()) {
      if (
        token.pageId === pageId &&
        token.psid === psid &&
        token.optin.type === 'notification_messages'
      )
        token.stopped = status === 'STOP NOTIFICATIONS';
    }
    return notificationStatusEvent(pageId, psid, status);
  }

  private issue(pageId: string | undefined, psid: string, optin: SandboxOptin): string {
    const token = randomBytes(24).toString('base64url');
    this.notificationTokens.set(token, {
      pageId,
      psid,
      optin,
      expiresAt: Date.now() + TOKEN_LIFETIME_MS[optin.type],
      used: false,
      stopped: false,
    });
    return token;
  }

  /** POSTs a webhook payload to `url`, serialised and signed (both headers) as Facebook does. */
  async sendWebhook(url: string, payload: unknown): Promise<{ status: number; body: string }> {
    if (!this.appSecret) throw new Error('the sandbox has no appSecret to sign webhooks with');
    const raw = facebookJson(payload);
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-hub-signature-256': hubSignature(raw, this.appSecret),
        'x-hub-signature': legacyHubSignature(raw, this.appSecret),
      },
      body: raw,
    });
    return { status: response.status, body: await response.text() };
  }

  async handle(call: GraphCall): Promise<GraphAnswer> {
    // Stamped on arrival, as Facebook counts a Page's rate: not after the scripted latency,
    // whose timers fire late and together on a busy machine.
    const at = new Date();
    if (this.scenario.latencyMs)
      await new Promise((resolve) => setTimeout(resolve, this.scenario.latencyMs));
    const answer = this.answer(call);
    this.record(call, answer, at);
    return answer;
  }

  private answer(call: GraphCall): GraphAnswer {
    const token = bearerOrQueryToken(call);
    if (!token) return fail({ code: 2500 });
    const page = this.pagesByToken.get(token);
    if (!page) return fail({ code: 190 });
    if (page.appSecret) {
      const proof = call.query.appsecret_proof;
      if (proof === undefined)
        return fail(
          graphMethodException('API calls from the server require an appsecret_proof argument'),
        );
      if (proof !== appsecretProof(token, page.appSecret))
        return fail(graphMethodException('Invalid appsecret_proof provided in the API argument'));
    }
    switch (`${call.method} ${call.endpoint}`) {
      case 'POST messages':
        return this.send(call.body, page.pageId);
      case 'POST message_attachments':
        return this.upload(call.body);
      case 'POST pass_thread_control':
        return this.handover(call.body, 'pass', (psid, body) =>
          this.threadOwners.set(psid, asId(body.target_app_id) ?? PAGE_INBOX_APP_ID),
        );
      case 'POST take_thread_control':
        return this.handover(call.body, 'take', (psid) => this.threadOwners.set(psid, this.appId));
      case 'POST request_thread_control':
        return this.handover(call.body, 'request', () => undefined);
      case 'GET thread_owner':
        return this.owner(call.query.recipient);
      case 'POST message_templates':
      case 'GET message_templates':
      case 'DELETE message_templates':
        return this.messageTemplates(call, page.pageId);
      default:
        return fail({
          code: 100,
          type: 'GraphMethodException',
          message: `Unsupported ${call.method} request. Object with ID 'me' does not support this operation`,
        });
    }
  }

  private send(body: unknown, pageId: string): GraphAnswer {
    const psid = recipientOf(body);
    if (psid && this.scenario.resetPsids?.includes(psid)) return 'connection_reset';
    if (this.scenario.throttleNext && this.scenario.throttleNext > 0) {
      this.scenario.throttleNext -= 1;
      // Facebook's Send API throttling: HTTP 400, code 613, and the quota shown used up.
      return { ...fail({ code: 613 }), headers: usageHeaders(pageId, EXHAUSTED) };
    }
    const answer = this.sendAnswer(body, pageId);
    const usage = this.scenario.usage;
    return usage ? { ...answer, headers: usageHeaders(pageId, usage) } : answer;
  }

  /** The Send API's answer once resets and throttling are ruled out. */
  private sendAnswer(body: unknown, pageId: string): Answered {
    if (this.scenario.serverErrorRatio && this.random() < this.scenario.serverErrorRatio)
      return fail({ code: 2 });
    const refusal = checkSendRequest(body, this.acceptedTags) ?? this.utilityRefusal(body, pageId);
    if (refusal) return fail(refusal);

    const request = body as {
      recipient: {
        id?: string;
        one_time_notif_token?: string;
        notification_messages_token?: string;
      };
      messaging_type?: string;
    };
    let recipientId = request.recipient.id;
    const tokenSpent = this.spendToken(request.recipient, pageId);
    if (tokenSpent && 'code' in tokenSpent) return fail(tokenSpent);
    if (tokenSpent) recipientId = tokenSpent.psid;
    if (!recipientId) return fail(invalidParameter('No matching user found', 2018001));
    const owner = this.threadOwner(recipientId);
    if (owner !== undefined && owner !== this.appId) return fail(THREAD_CONTROLLED_BY_OTHER_APP);
    const scripted = this.scriptedError(recipientId);
    if (scripted) return fail(scripted);
    // A notification token is the user's permission outside the window; a tag or an approved utility template is Facebook's.
    if (
      request.messaging_type !== 'MESSAGE_TAG' &&
      request.messaging_type !== 'UTILITY' &&
      !tokenSpent &&
      this.scenario.outsideWindowPsids?.includes(recipientId)
    ) {
      return fail({ code: 10, subcode: 2018278 });
    }
    return ok({ recipient_id: recipientId, message_id: messageId() });
  }

  /**
   * A send to a notification token: an OTN is spent by its first send and refused
   * after (Facebook documents no code of its own: a 100, as for any invalid
   * recipient); a marketing-message token is refused once stopped, and answers
   * 4/2018354 when it is used again before its frequency allows.
   */
  private spendToken(
    recipient: { one_time_notif_token?: string; notification_messages_token?: string },
    pageId: string,
  ): { psid: string } | GraphErrorSpec | undefined {
    const otn = recipient.one_time_notif_token;
    const marketing = recipient.notification_messages_token;
    if (otn === undefined && marketing === undefined) return undefined;
    const token = this.notificationTokens.get(String(otn ?? marketing));
    const usable =
      token &&
      token.optin.type === (otn !== undefined ? 'one_time_notif_req' : 'notification_messages') &&
      (token.pageId === undefined || token.pageId === pageId) &&
      token.expiresAt > Date.now();
    if (otn !== undefined) {
      if (!usable || token.used)
        return invalidParameter('The one-time notification token is invalid or was already used');
      token.used = true;
      return { psid: token.psid };
    }
    if (!usable) return invalidParameter('The notification messages token is invalid or expired');
    if (token.stopped)
      return invalidParameter('The person has stopped marketing messages from this Page');
    const now = Date.now();
    const interval = MARKETING_INTERVAL_MS[token.optin.frequency ?? 'WEEKLY'];
    if (token.lastSentAt !== undefined && now - token.lastSentAt < interval)
      return { code: 4, subcode: 2018354 };
    token.lastSentAt = now;
    return { psid: token.psid };
  }

  /**
   * A utility send names an approved template of the Page in its language, with
   * one parameter per `{{n}}` of its body; UTILITY carries nothing else.
   */
  private utilityRefusal(body: unknown, pageId: string): GraphErrorSpec | undefined {
    const request = body as { messaging_type?: string; message?: unknown };
    const payload = (request.message as { attachment?: { payload?: Record<string, unknown> } })
      ?.attachment?.payload;
    const isUtility = payload?.template_type === 'utility_messages';
    if ((request.messaging_type === 'UTILITY') !== isUtility)
      return invalidParameter(
        'messaging_type UTILITY must be sent with a template_type utility_messages payload, and only with it',
      );
    if (!isUtility) return undefined;
    const language = (payload.language as { code?: unknown } | undefined)?.code;
    const template = this.templates
      .get(pageId)
      ?.find((t) => t.name === payload.name && t.language === language);
    if (!template)
      return invalidParameter(
        `Template ${String(payload.name)} does not exist in ${String(language)} for this Page`,
      );
    if (template.status !== 'APPROVED')
      return invalidParameter(
        `Template ${template.name} is ${template.status} and cannot be sent until it is APPROVED`,
      );
    const bodyComponent = (
      payload.components as { type?: string; parameters?: unknown[] }[] | undefined
    )?.find((component) => component.type === 'body');
    const parameters = bodyComponent?.parameters ?? [];
    const expected = bodyParameterCount(template.components);
    if (parameters.length !== expected)
      return invalidParameter(
        `Template ${template.name} takes ${expected} body parameters, not ${parameters.length}`,
      );
    // A parameter rendered empty (an attribute the user lacks) is refused, not sent blank.
    const blank = parameters.findIndex(
      (parameter) =>
        (parameter as { type?: unknown }).type !== 'text' ||
        typeof (parameter as { text?: unknown }).text !== 'string' ||
        (parameter as { text: string }).text.trim() === '',
    );
    if (blank >= 0)
      return invalidParameter(
        `param components[0][parameters][${blank}] must be a text parameter with non-empty text`,
      );
    return undefined;
  }

  /** `/{page-id}/message_templates`: submit (reviewed as the scenario says), list, delete by name. */
  private messageTemplates(call: GraphCall, pageId: string): GraphAnswer {
    if (call.node !== pageId && call.node !== 'me')
      return fail({ code: 200, message: '(#200) The Page token does not manage this object' });
    const templates = this.templates.get(pageId) ?? [];
    const name = typeof call.query.name === 'string' ? call.query.name : undefined;
    if (call.method === 'GET')
      return ok({ data: templates.filter((t) => name === undefined || t.name === name) });
    if (call.method === 'DELETE') {
      if (!name) return fail(invalidParameter('The parameter name is required'));
      const kept = templates.filter((t) => t.name !== name);
      if (kept.length === templates.length)
        return fail(invalidParameter(`Message template "${name}" not found`));
      this.templates.set(pageId, kept);
      return ok({ success: true });
    }
    const [problem] = templateDefinitionProblems(call.body);
    if (problem) {
      return fail(
        problem.subcode
          ? { code: 100, subcode: problem.subcode, message: `(#100) ${problem.reason}` }
          : invalidParameter(`Param ${problem.field} ${problem.reason}`),
      );
    }
    const submitted = call.body as Omit<SandboxTemplate, 'id' | 'status'>;
    if (templates.some((t) => t.name === submitted.name && t.language === submitted.language))
      return fail(invalidParameter('A template with this name already exists in this language'));
    const template: SandboxTemplate = {
      id: `1${String(randomInt(0, 2 ** 47)).padStart(15, '0')}`,
      name: submitted.name,
      language: submitted.language,
      category: submitted.category,
      components: submitted.components,
      status: this.scenario.templateReview ?? 'APPROVED',
    };
    this.templates.set(pageId, [...templates, template]);
    return ok({ id: template.id, status: template.status, category: template.category });
  }

  /** Facebook's review of a template: the new status, and the `message_template_status_update` value it sends. */
  setTemplateStatus(
    pageId: string,
    name: string,
    language: string,
    status: SandboxTemplate['status'],
    reason?: string,
  ): Record<string, unknown> {
    const template = this.templates
      .get(pageId)
      ?.find((t) => t.name === name && t.language === language);
    if (!template)
      throw new NotFoundException(`no template ${name} (${language}) of Page ${pageId}`);
    template.status = status;
    if (status === 'REJECTED') template.rejected_reason = reason ?? 'INVALID_FORMAT';
    else delete template.rejected_reason;
    return {
      event: status,
      message_template_id: Number(template.id),
      message_template_name: name,
      message_template_language: language,
      reason: status === 'REJECTED' ? template.rejected_reason : 'NONE',
    };
  }

  private scriptedError(psid: string): GraphErrorSpec | undefined {
    const scripted = this.scenario.errorsByPsid?.[psid];
    if (!scripted) return undefined;
    const used = this.scriptedUses.get(psid) ?? 0;
    if (scripted.times !== undefined && used >= scripted.times) return undefined;
    this.scriptedUses.set(psid, used + 1);
    return scripted;
  }

  private upload(body: unknown): GraphAnswer {
    const attachment = (
      body as { message?: { attachment?: { type?: unknown; payload?: { url?: unknown } } } }
    )?.message?.attachment;
    if (!attachment || !['image', 'video', 'audio', 'file'].includes(String(attachment.type))) {
      return fail(
        invalidParameter(
          'param message[attachment][type] must be one of {image, video, audio, file}',
        ),
      );
    }
    if (
      typeof attachment.payload?.url !== 'string' ||
      !/^https?:\/\//.test(attachment.payload.url)
    ) {
      return fail(invalidParameter('param message[attachment][payload][url] must be a valid URL'));
    }
    return ok({ attachment_id: `1${String(randomInt(0, 2 ** 47)).padStart(15, '0')}` });
  }

  private handover(
    body: unknown,
    action: 'pass' | 'take' | 'request',
    apply: (psid: string, body: Record<string, unknown>) => void,
  ): GraphAnswer {
    const request = (body ?? {}) as Record<string, unknown>;
    const psid = recipientOf(request);
    if (!psid) return fail(invalidParameter('The parameter recipient is required'));
    if (
      action === 'pass' &&
      request.target_app_id !== undefined &&
      !/^\d+$/.test(asId(request.target_app_id) ?? '')
    ) {
      return fail(invalidParameter('param target_app_id must be a valid app id'));
    }
    // Asking is open to every app; passing and taking need the role Facebook requires.
    const refusal =
      action === 'request'
        ? undefined
        : handoverRefusal(action, this.appId, this.threadOwner(psid), this.appRoles);
    if (refusal) return fail(refusal);
    apply(psid, request);
    return ok({ success: true });
  }

  private owner(recipient: unknown): GraphAnswer {
    if (typeof recipient !== 'string' || !/^\d+$/.test(recipient))
      return fail(invalidParameter('The parameter recipient is required'));
    const owner = this.threadOwner(recipient);
    // An idle thread has no owner: Facebook answers an empty list.
    return ok({ data: owner === undefined ? [] : [{ thread_owner: { app_id: owner } }] });
  }

  private record(call: GraphCall, answer: GraphAnswer, at: Date): void {
    if (this.recordLimit === 0) return;
    if (this.recorded.length >= this.recordLimit)
      this.recorded.splice(0, Math.ceil(this.recordLimit / 2));
    this.recorded.push({
      method: call.method,
      path: `/${call.node}/${call.endpoint}`,
      version: call.version,
      query: call.query,
      authorization: call.authorization,
      body: call.body,
      clientPort: call.clientPort,
      answer,
      at,
    });
  }
}

function recipientOf(body: unknown): string | undefined {
  return asId((body as { recipient?: { id?: unknown } } | undefined)?.recipient?.id);
}

function bearerOrQueryToken(call: GraphCall): string | undefined {
  const match = /^(?:Bearer|OAuth)\s+(\S+)$/i.exec(call.authorization ?? '');
  if (match) return match[1];
  return typeof call.query.access_token === 'string' ? call.query.access_token : undefined;
}
