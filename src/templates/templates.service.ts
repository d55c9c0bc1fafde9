/**
 * A Page's utility templates (SPEC §3 `utility`, §7): submitted to Facebook and
 * stored with Facebook's id; their status is the newest one seen, from the
 * create answer, the `message_template_status_update` webhook or a re-sync.
 */
import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { ApiError, type ErrorDetail } from '../common/api-error';
import { Clock } from '../common/clock';
import { isDuplicateKeyError } from '../common/mongo-errors';
import { valueOrGraphError } from '../messenger/graph-answer';
import { MessengerClient } from '../messenger/messenger-client.service';
import { PagesService } from '../pages/pages.service';
import { TemplateStatusObservation, UtilityTemplate } from './template.schema';
import {
  bodyParameterCount,
  currentStatus,
  templateDefinitionProblems,
  type TemplateDefinition,
} from './template-rules';

export interface TemplateView extends TemplateDefinition {
  id: string;
  status: string;
  /** Why Facebook rejected it, when it did. */
  reason?: string;
  statusAt: Date;
  createdAt: Date;
}

/** A status update as the webhook reads it (templateStatusOf). */
export interface TemplateStatusUpdate {
  templateId?: string;
  name?: string;
  language?: string;
  status: string;
  reason?: string;
}

type StoredTemplate = UtilityTemplate & { _id: unknown };

@Injectable()
export class TemplatesService {
  constructor(
    @InjectModel(UtilityTemplate.name) private readonly templates: Model<UtilityTemplate>,
    @InjectModel(TemplateStatusObservation.name)
    private readonly statuses: Model<TemplateStatusObservation>,
    private readonly pages: PagesService,
    private readonly messenger: MessengerClient,
    private readonly clock: Clock,
  ) {}

  /** Validates as Facebook does, submits, and stores the template with Facebook's id and status. */
  async create(pageId: string, input: TemplateDefinition): Promise<TemplateView> {
    const problems = templateDefinitionProblems(input);
    if (problems.length > 0)
      throw ApiError.fromProblems(problems.map(({ field, reason }) => ({ field, reason })));
    const definition: TemplateDefinition = {
      name: input.name,
      language: input.language,
      category: input.category,
      components: input.components,
    };
    if (await this.templates.exists({ pageId, name: input.name, language: input.language })) {
      throw ApiError.conflict(
        'template_exists',
        `template ${input.name} (${input.language}) exists; approved templates cannot be edited: delete it and create it again`,
      );
    }
    // Taken before the call: a webhook about the template can only be received after it.
    const at = this.clock.now();
    const created = valueOrGraphError(
      await this.messenger.createTemplate(await this.pages.credentials(pageId), definition),
    );
    try {
      await this.templates.create({
        pageId,
        name: definition.name,
        language: definition.language,
        category: definition.category,
        componentsJson: JSON.stringify(definition.components),
        facebookId: created.id,
        createdAt: at,
      });
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      throw ApiError.conflict('template_exists', `template ${input.name} was created meanwhile`);
    }
    await this.observe(`create:${created.id}`, pageId, created.id, { status: created.status }, at);
    return this.get(pageId, input.name, input.language);
  }

  async list(pageId: string, name?: string): Promise<TemplateView[]> {
    await this.pages.get(pageId);
    const templates = await this.templates
      .find({ pageId, ...(name ? { name } : {}) })
      .sort({ name: 1, language: 1 })
      .lean<StoredTemplate[]>();
    const observations = await this.statuses
      .find({ pageId, facebookId: { $in: templates.map((template) => template.facebookId) } })
      .lean();
    return templates.map((template) =>
      view(
        template,
        observations.filter((seen) => seen.facebookId === template.facebookId),
      ),
    );
  }

  /** One template; the language may be left out when the name has only one. */
  async get(pageId: string, name: string, language?: string): Promise<TemplateView> {
    const found = (await this.list(pageId, name)).filter(
      (template) => language === undefined || template.language === language,
    );
    if (found.length === 0)
      throw ApiError.notFound(`template ${name}${language ? ` (${language})` : ''}`);
    if (found.length > 1)
      throw ApiError.invalidField(
        'language',
        `template ${name} exists in ${found.map((t) => t.language).join(', ')}: name one`,
      );
    return found[0];
  }

  /** Reads every status from Facebook: what a missed webhook would have said. */
  async sync(pageId: string): Promise<TemplateView[]> {
    const at = this.clock.now();
    const listed = valueOrGraphError(
      await this.messenger.listTemplates(await this.pages.credentials(pageId)),
    );
    const known = new Set(
      (await this.templates.find({ pageId }).lean()).map((template) => template.facebookId),
    );
    for (const template of listed.filter((item) => known.has(item.id))) {
      await this.observe(
        `sync:${template.id}:${at.getTime()}`,
        pageId,
        template.id,
        { status: template.status, reason: template.rejectedReason },
        at,
      );
    }
    return this.list(pageId);
  }

  /** Deletes every language of the name at Facebook, then here. */
  async delete(pageId: string, name: string): Promise<void> {
    if (!(await this.templates.exists({ pageId, name })))
      throw ApiError.notFound(`template ${name}`);
    valueOrGraphError(
      await this.messenger.deleteTemplate(await this.pages.credentials(pageId), name),
    );
    await this.templates.deleteMany({ pageId, name });
  }

  /**
   * A `message_template_status_update` event, once per event id. A template
   * created elsewhere (not stored here) is ignored: a re-sync does not add it either.
   */
  async applyStatusUpdate(
    pageId: string,
    update: TemplateStatusUpdate,
    eventId: string,
    receivedAt: Date,
  ): Promise<void> {
    const template = update.templateId
      ? await this.templates.findOne({ pageId, facebookId: update.templateId }).lean()
      : await this.templates
          .findOne({ pageId, name: update.name, language: update.language })
          .lean();
    if (!template) return;
    // Facebook sends reason "NONE" when there is none.
    const reason = update.reason && update.reason !== 'NONE' ? update.reason : undefined;
    await this.observe(
      `webhook:${eventId}`,
      pageId,
      template.facebookId,
      { status: update.status, reason },
      receivedAt,
    );
  }

  /** Problems of a utility delivery against the Page's stored template. */
  async deliveryProblems(
    pageId: string,
    delivery: { template: string; language: string; parameters: string[] },
    field = 'delivery',
  ): Promise<ErrorDetail[]> {
    const template = await this.templates
      .findOne({ pageId, name: delivery.template, language: delivery.language })
      .lean();
    if (!template) {
      return [
        {
          field: `${field}.template`,
          reason: `Page ${pageId} has no template ${delivery.template} in ${delivery.language}; create it first`,
        },
      ];
    }
    const expected = bodyParameterCount(componentsOf(template));
    return delivery.parameters.length === expected
      ? []
      : [
          {
            field: `${field}.parameters`,
            reason: `must be ${expected} (one per {{n}} of the template's body), not ${delivery.parameters.length}`,
          },
        ];
  }

  /**
   * Publishing a utility campaign needs its template APPROVED now (409 naming the
   * status), taking as many parameters as the campaign gives: a template deleted
   * and created again since the campaign was saved may take another number.
   */
  async requireSendable(
    pageId: string,
    delivery: { template: string; language: string; parameters: string[] },
  ): Promise<void> {
    const { template: name, language } = delivery;
    const [template] = (await this.list(pageId, name)).filter((t) => t.language === language);
    const status = template?.status ?? 'DELETED';
    if (status !== 'APPROVED') {
      throw ApiError.conflict(
        'template_not_approved',
        `template ${name} (${language}) is ${status}${template?.reason ? ` (${template.reason})` : ''}; only an APPROVED template can be sent`,
        { templateStatus: status },
      );
    }
    const expected = bodyParameterCount(template.components);
    if (delivery.parameters.length !== expected) {
      throw ApiError.conflict(
        'template_changed',
        `template ${name} (${language}) now takes ${expected} parameters, the campaign gives ${delivery.parameters.length}; edit delivery.parameters`,
      );
    }
  }

  private async observe(
    key: string,
    pageId: string,
    facebookId: string,
    seen: { status: string; reason?: string },
    at: Date,
  ): Promise<void> {
    try {
      await this.statuses.create({ _id: key, pageId, facebookId, ...seen, at });
    } catch (error) {
      // Seen already (a redelivered event): nothing new.
      if (!isDuplicateKeyError(error)) throw error;
    }
  }
}

function view(template: StoredTemplate, observations: TemplateStatusObservation[]): TemplateView {
  const current = currentStatus(observations);
  return {
    id: template.facebookId,
    name: template.name,
    language: template.language,
    category: 'UTILITY',
    components: componentsOf(template),
    status: current?.status ?? 'PENDING',
    ...(current?.reason ? { reason: current.reason } : {}),
    statusAt: current?.at ?? template.createdAt,
    createdAt: template.createdAt,
  };
}

const componentsOf = (template: UtilityTemplate): Record<string, unknown>[] =>
  JSON.parse(template.componentsJson) as Record<string, unknown>[];
