/**
 * The delivery policy (src/campaigns/delivery-policy.ts): inside the messaging
 * window, an approved utility template with its parameters as Liquid, a
 * marketing-message topic, a one-time-notification topic, or an allowed tag.
 */
import type { ApiFailure } from '../api';
import { Field, TextField } from '../ui/components';
import { Check, Choice, FieldError } from './campaign-message-editor';
import { LiquidField, PersonaliseBar } from './campaign-personalise';
import {
  exactReason,
  type AttributeSuggestion,
  type DeliveryPolicy,
  type TemplateView,
} from './campaign-types';

export type PolicyName = DeliveryPolicy['policy'];

export interface DeliveryDraft {
  policy: PolicyName;
  attemptUnknownWindow: boolean;
  tag: string;
  /** otn and notification_messages */
  topic: string;
  template: string;
  language: string;
  parameters: string[];
}

export function newDeliveryDraft(): DeliveryDraft {
  return {
    policy: 'window',
    attemptUnknownWindow: false,
    tag: '',
    topic: '',
    template: '',
    language: '',
    parameters: [],
  };
}

export function deliveryFromApi(delivery: DeliveryPolicy): DeliveryDraft {
  const draft = newDeliveryDraft();
  draft.policy = delivery.policy;
  switch (delivery.policy) {
    case 'window':
      draft.attemptUnknownWindow = delivery.attemptUnknownWindow === true;
      break;
    case 'tag':
      draft.tag = delivery.tag;
      break;
    case 'otn':
    case 'notification_messages':
      draft.topic = delivery.topic;
      break;
    case 'utility':
      draft.template = delivery.template;
      draft.language = delivery.language;
      draft.parameters = [...delivery.parameters];
      break;
  }
  return draft;
}

export function deliveryToApi(draft: DeliveryDraft): Record<string, unknown> {
  switch (draft.policy) {
    case 'window':
      return { policy: 'window', attemptUnknownWindow: draft.attemptUnknownWindow };
    case 'tag':
      return { policy: 'tag', tag: draft.tag };
    case 'otn':
    case 'notification_messages':
      return { policy: draft.policy, topic: draft.topic };
    case 'utility':
      return {
        policy: 'utility',
        template: draft.template,
        language: draft.language,
        parameters: draft.parameters,
      };
  }
}

export const POLICY_WORDS: Record<PolicyName, { label: string; hint: string }> = {
  window: {
    label: 'Within the messaging window',
    hint: 'People who wrote to the Page in the last 24 hours (7 days after a click-to-Messenger ad).',
  },
  utility: {
    label: 'Utility template',
    hint: 'A template Facebook approved for non-promotional updates (orders, accounts, appointments); also outside the window.',
  },
  notification_messages: {
    label: 'Marketing messages (subscribed topic)',
    hint: 'People who subscribed to marketing messages of a topic, within the frequency they chose.',
  },
  otn: {
    label: 'One-time notification (topic)',
    hint: 'People who asked to be told once about a topic; each permission is used once.',
  },
  tag: {
    label: 'Message tag',
    hint: 'Only a tag this service allows (ALLOWED_MESSAGE_TAGS); Facebook retired the update tags.',
  },
};

/** The body's `{{n}}` numbers, in order, once each. */
export function templateParameters(template: TemplateView | undefined): number[] {
  const body = template?.components.find((c) => c.type === 'BODY');
  const text = typeof body?.text === 'string' ? body.text : '';
  const numbers = [...text.matchAll(/\{\{\s*(\d+)\s*\}\}/g)].map((m) => Number(m[1]));
  return [...new Set(numbers)].sort((a, b) => a - b);
}

function bodyText(template: TemplateView): string {
  const text = template.components.find((c) => c.type === 'BODY')?.text;
  return typeof text === 'string' ? text : '';
}

/** The template's example value of `{{n}}`, if it gave one. */
function exampleOf(template: TemplateView, n: number): string | undefined {
  const body = template.components.find((c) => c.type === 'BODY');
  const example = body?.example as { body_text?: unknown[][] } | undefined;
  const value = example?.body_text?.[0]?.[n - 1];
  return typeof value === 'string' ? value : undefined;
}

export function DeliveryEditor(props: {
  pageId: string;
  draft: DeliveryDraft;
  onChange: (draft: DeliveryDraft) => void;
  templates: TemplateView[] | undefined;
  templatesError?: ApiFailure;
  attributes: AttributeSuggestion[];
  error?: ApiFailure;
}) {
  const { draft, error } = props;
  const set = (patch: Partial<DeliveryDraft>) => props.onChange({ ...draft, ...patch });
  const leftovers =
    error?.details.filter(
      (d) =>
        /^delivery([.[]|$)/.test(d.field) &&
        !/^delivery(\.policy|\.attemptUnknownWindow|\.tag|\.topic|\.template|\.language|\.parameters.*)?$/.test(
          d.field,
        ),
    ) ?? [];
  return (
    <div>
      <Choice
        legend="Who can receive it"
        name="policy"
        value={draft.policy}
        options={(Object.keys(POLICY_WORDS) as PolicyName[]).map((policy) => ({
          value: policy,
          label: POLICY_WORDS[policy].label,
          hint: POLICY_WORDS[policy].hint,
        }))}
        onChange={(policy) => set({ policy: policy as PolicyName })}
        error={exactReason(error, 'delivery.policy') ?? exactReason(error, 'delivery')}
      />
      {draft.policy === 'window' && (
        <Check
          label="Also try people the Page never heard from (window unknown)"
          hint="Facebook refuses those whose window is closed; each refusal is recorded."
          checked={draft.attemptUnknownWindow}
          onChange={(attemptUnknownWindow) => set({ attemptUnknownWindow })}
        />
      )}
      {(draft.policy === 'otn' || draft.policy === 'notification_messages') && (
        <TextField
          label="Topic"
          value={draft.topic}
          onInput={(topic) => set({ topic })}
          field="delivery.topic"
          error={error}
          placeholder="restock"
          hint={
            draft.policy === 'otn'
              ? 'The topic people asked to be told about (the payload of the one-time notification request).'
              : 'The topic of the marketing-message subscription (letters, digits, _ . -).'
          }
        />
      )}
      {draft.policy === 'tag' && (
        <TextField
          label="Tag"
          value={draft.tag}
          onInput={(tag) => set({ tag })}
          field="delivery.tag"
          error={error}
        />
      )}
      {draft.policy === 'utility' && (
        <UtilityEditor
          pageId={props.pageId}
          draft={draft}
          set={set}
          templates={props.templates}
          templatesError={props.templatesError}
          attributes={props.attributes}
          error={error}
        />
      )}
      {leftovers.map((d) => (
        <FieldError key={d.field} reason={`${d.field} ${d.reason}`} />
      ))}
    </div>
  );
}

function UtilityEditor(props: {
  pageId: string;
  draft: DeliveryDraft;
  set: (patch: Partial<DeliveryDraft>) => void;
  templates: TemplateView[] | undefined;
  templatesError?: ApiFailure;
  attributes: AttributeSuggestion[];
  error?: ApiFailure;
}) {
  const { draft, set, error } = props;
  const templates = props.templates ?? [];
  const key = (t: { name: string; language: string }) => `${t.name}|${t.language}`;
  const draftKey = `${draft.template}|${draft.language}`;
  const chosen = templates.find((t) => key(t) === draftKey);
  const numbers = templateParameters(chosen);
  const approved = templates.filter((t) => t.status === 'APPROVED');
  const choose = (value: string) => {
    const template = templates.find((t) => key(t) === value);
    if (!template) return set({ template: '', language: '', parameters: [] });
    const count = templateParameters(template).length;
    set({
      template: template.name,
      language: template.language,
      parameters: Array.from({ length: count }, (_, i) => draft.parameters[i] ?? ''),
    });
  };
  const templateReason =
    props.error?.reasonFor('delivery.template') ?? props.error?.reasonFor('delivery.language');
  return (
    <div class="cb-utility">
      {props.templatesError && (
        <p class="field-error" role="alert">
          The Page's templates could not be loaded: {props.templatesError.message}
        </p>
      )}
      {props.templates && approved.length === 0 && (
        <p class="notice notice--warning">
          This Page has no approved utility template yet. Templates are submitted to Facebook
          through the API (<code>POST /api/pages/{props.pageId}/templates</code>) and can be used
          once Facebook approves them.
        </p>
      )}
      <Field
        label="Template"
        hint="Only templates Facebook approved can be sent."
        field="delivery.template"
        error={error}
      >
        {({ id, describedBy, invalid }) => (
          <select
            id={id}
            name="delivery.template"
            value={chosen ? key(chosen) : draft.template ? draftKey : ''}
            aria-describedby={describedBy}
            aria-invalid={invalid || Boolean(templateReason)}
            onChange={(event) => choose(event.currentTarget.value)}
          >
            <option value="">Choose a template</option>
            {templates.map((t) => (
              <option
                key={key(t)}
                value={key(t)}
                disabled={t.status !== 'APPROVED' && key(t) !== draftKey}
              >
                {t.name} ({t.language}){t.status === 'APPROVED' ? '' : ` — ${t.status}`}
              </option>
            ))}
            {!chosen && draft.template && (
              <option value={draftKey}>
                {draft.template} ({draft.language}) — not found on the Page
              </option>
            )}
          </select>
        )}
      </Field>
      {exactReason(error, 'delivery.language') && (
        <FieldError reason={`Language: ${exactReason(error, 'delivery.language')}`} />
      )}
      {chosen && chosen.status !== 'APPROVED' && (
        <p class="notice notice--warning">
          {chosen.name} is {chosen.status}
          {chosen.reason ? ` (${chosen.reason})` : ''}: the campaign can be saved but not published
          until Facebook approves it.
        </p>
      )}
      {chosen && (
        <>
          <p class="hint">
            Template text: <q class="cb-utility__body">{bodyText(chosen)}</q>
          </p>
          {numbers.length > 0 && <PersonaliseBar attributes={props.attributes} />}
          {numbers.length === 0 && <p class="hint">This template takes no parameters.</p>}
          <FieldError reason={exactReason(error, 'delivery.parameters')} />
          {numbers.map((n, index) => (
            <LiquidField
              key={n}
              label={`Value of {{${n}}}`}
              value={draft.parameters[index] ?? ''}
              onInput={(value) =>
                set({
                  parameters: Array.from({ length: numbers.length }, (_, i) =>
                    i === index ? value : (draft.parameters[i] ?? ''),
                  ),
                })
              }
              field={`delivery.parameters[${index}]`}
              error={error}
              hint={
                exampleOf(chosen, n) ? `Facebook's example: ${exampleOf(chosen, n)}` : undefined
              }
              placeholder="{{ user.firstName }}"
            />
          ))}
        </>
      )}
      <p class="hint">A utility campaign sends this template's text, not a composed message.</p>
    </div>
  );
}
