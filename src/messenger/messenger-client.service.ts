/**
 * The only way out to Facebook. Sends prepared bodies to GRAPH_API_URL with the
 * Page's token in the Authorization header (never in a URL), appsecret_proof when
 * the Page has an app secret, and keep-alive sockets bounded by GRAPH_MAX_SOCKETS.
 * Failures come back as classified values, not exceptions, because the sending
 * engine treats them as data.
 */
import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { asId } from '../common/json';
import { AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import {
  classifyGraphError,
  classifyTransportFailure,
  classifyUnexpectedResponse,
  type GraphFailure,
} from './graph-errors';
import { GraphTransport, GraphTransportError, type GraphResponse } from './graph-transport';
import {
  appsecretProof,
  attachmentUploadBody,
  passThreadControlBody,
  requestThreadControlBody,
  takeThreadControlBody,
  type AttachmentType,
  type SendMessageBody,
} from './payloads';
import { usagePercent } from './usage-headers';

/** What the client needs of a Page; secrets are decrypted only for the call. */
export interface PageCredentials {
  pageId: string;
  accessToken: string;
  appSecret?: string;
}

/** `usage`: the highest quota share (percent) in Facebook's usage headers, when it sent any. */
export type GraphResult<T> = ({ ok: true; value: T } | { ok: false; failure: GraphFailure }) & {
  usage?: number;
};

export interface SentMessage {
  recipientId: string;
  messageId: string;
}

type Endpoint =
  | 'messages'
  | 'message_attachments'
  | 'pass_thread_control'
  | 'take_thread_control'
  | 'request_thread_control'
  | 'thread_owner'
  | 'message_templates';

/** A utility template as Facebook lists it; `rejected_reason` explains a REJECTED one. */
export interface GraphTemplate {
  id: string;
  name: string;
  language: string;
  status: string;
  rejectedReason?: string;
}

@Injectable()
export class MessengerClient implements OnModuleDestroy {
  constructor(
    private readonly transport: GraphTransport,
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {}

  onModuleDestroy(): void {
    this.transport.destroy();
  }

  sendMessage(page: PageCredentials, body: SendMessageBody): Promise<GraphResult<SentMessage>> {
    return this.call(page, 'POST', 'messages', body, (data) =>
      typeof data.message_id === 'string'
        ? { recipientId: asId(data.recipient_id) ?? '', messageId: data.message_id }
        : undefined,
    );
  }

  uploadAttachment(
    page: PageCredentials,
    type: AttachmentType,
    url: string,
  ): Promise<GraphResult<{ attachmentId: string }>> {
    return this.call(
      page,
      'POST',
      'message_attachments',
      attachmentUploadBody(type, url),
      (data) =>
        asId(data.attachment_id) !== undefined
          ? { attachmentId: asId(data.attachment_id)! }
          : undefined,
    );
  }

  passThreadControl(page: PageCredentials, psid: string, targetAppId: string, metadata?: string) {
    return this.call(
      page,
      'POST',
      'pass_thread_control',
      passThreadControlBody(psid, targetAppId, metadata),
      success,
    );
  }

  takeThreadControl(page: PageCredentials, psid: string, metadata?: string) {
    return this.call(
      page,
      'POST',
      'take_thread_control',
      takeThreadControlBody(psid, metadata),
      success,
    );
  }

  requestThreadControl(page: PageCredentials, psid: string, metadata?: string) {
    return this.call(
      page,
      'POST',
      'request_thread_control',
      requestThreadControlBody(psid, metadata),
      success,
    );
  }

  /** The app id that owns the thread now, or null when Facebook names none. */
  getThreadOwner(
    page: PageCredentials,
    psid: string,
  ): Promise<GraphResult<{ appId: string | null }>> {
    return this.call(page, 'GET', 'thread_owner', { recipient: psid }, (data) => {
      if (!Array.isArray(data.data)) return undefined;
      const first = data.data[0] as { thread_owner?: { app_id?: unknown } } | undefined;
      return { appId: asId(first?.thread_owner?.app_id) ?? null };
    });
  }

  /** Submits a utility template for review: Facebook answers its id and first status. */
  createTemplate(
    page: PageCredentials,
    template: object,
  ): Promise<GraphResult<{ id: string; status: string }>> {
    return this.call(page, 'POST', 'message_templates', template, (data) =>
      asId(data.id) !== undefined && typeof data.status === 'string'
        ? { id: asId(data.id)!, status: data.status }
        : undefined,
    );
  }

  /** The Page's templates with their status (one name's when given). */
  listTemplates(page: PageCredentials, name?: string): Promise<GraphResult<GraphTemplate[]>> {
    return this.call(page, 'GET', 'message_templates', name ? { name } : {}, (data) =>
      Array.isArray(data.data) ? data.data.flatMap(graphTemplate) : undefined,
    );
  }

  /** Deletes every language of a template name (Facebook's delete by name). */
  deleteTemplate(page: PageCredentials, name: string) {
    return this.call(page, 'DELETE', 'message_templates', { name }, success);
  }

  private async call<T>(
    page: PageCredentials,
    method: 'GET' | 'POST' | 'DELETE',
    endpoint: Endpoint,
    payload: object,
    read: (data: Record<string, unknown>) => T | undefined,
  ): Promise<GraphResult<T>> {
    const { baseUrl, version, timeoutMs } = this.config.graph;
    const proof = page.appSecret
      ? { appsecret_proof: appsecretProof(page.accessToken, page.appSecret) }
      : {};
    const stopTimer = this.metrics.graphDuration.startTimer({ endpoint });
    let result: GraphResult<T>;
    try {
      const node = endpoint === 'message_templates' ? page.pageId : 'me';
      // Templates live on the Page node (`/{page-id}/message_templates`), not on `me`.
      const url = new URL(`${baseUrl}/${version}/${node}/${endpoint}`);
      for (const [name, value] of Object.entries(
        method === 'POST' ? proof : { ...payload, ...proof },
      ))
        url.searchParams.set(name, String(value));
      const response = await this.transport.request({
        method,
        url,
        headers: { authorization: `Bearer ${page.accessToken}` },
        body: method === 'POST' ? JSON.stringify(payload) : undefined,
        timeoutMs,
      });
      // Every answer carries usage, errors included: they are when it matters most.
      const usage = usagePercent(response.headers);
      result = { ...interpret(response, read), ...(usage === undefined ? {} : { usage }) };
    } catch (error) {
      result = { ok: false, failure: classifyTransportFailure(transportFacts(error)) };
    }
    stopTimer();
    this.metrics.graphRequests.inc({ endpoint, outcome: result.ok ? 'ok' : result.failure.class });
    return result;
  }
}

function graphTemplate(item: unknown): GraphTemplate[] {
  const template = item as Record<string, unknown>;
  const id = asId(template?.id);
  if (id === undefined || typeof template.name !== 'string' || typeof template.status !== 'string')
    return [];
  return [
    {
      id,
      name: template.name,
      language: typeof template.language === 'string' ? template.language : '',
      status: template.status,
      ...(typeof template.rejected_reason === 'string'
        ? { rejectedReason: template.rejected_reason }
        : {}),
    },
  ];
}

const success = (data: Record<string, unknown>): { success: true } | undefined =>
  data.success === true ? { success: true } : undefined;

function interpret<T>(
  response: GraphResponse,
  read: (data: Record<string, unknown>) => T | undefined,
): GraphResult<T> {
  const data = response.data;
  const body =
    typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : undefined;
  const error = body?.error as { code?: unknown } | undefined;
  if (error && typeof error.code === 'number') {
    return { ok: false, failure: classifyGraphError(error as { code: number }, response.status) };
  }
  const value = body && response.status < 300 ? read(body) : undefined;
  return value === undefined
    ? { ok: false, failure: classifyUnexpectedResponse(response.status) }
    : { ok: true, value };
}

function transportFacts(error: unknown): { errorCode?: string; written: boolean } {
  // Anything else failed in our own code after the call began: it may have been sent.
  if (!(error instanceof GraphTransportError)) return { errorCode: undefined, written: true };
  return { errorCode: error.code, written: error.written };
}
