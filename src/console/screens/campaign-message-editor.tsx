/**
 * The message editor: every kind the composer takes (src/campaigns/message-composer.ts),
 * with Messenger's limits counted as the marketer types and the API's reasons
 * beside the control they name (`message.quickReplies[3].title`).
 */
import type { ComponentChildren } from 'preact';
import { useId } from 'preact/hooks';
import { ApiFailure } from '../api';
import { Button, Field, SelectField, TextField } from '../ui/components';
import {
  BUTTON_TYPES,
  editorField,
  emptyButton,
  emptyElement,
  emptyQuickReply,
  LIMITS,
  MESSAGE_KINDS,
  parseRaw,
  shownMessageField,
  type ButtonDraft,
  type ElementDraft,
  type MessageDraft,
  type MessageKind,
  type QuickReplyDraft,
  type QuickReplyType,
} from './campaign-message';
import { LiquidField, PersonaliseBar } from './campaign-personalise';
import { exactReason, type AttributeSuggestion } from './campaign-types';

export function MessageEditor(props: {
  draft: MessageDraft;
  onChange: (draft: MessageDraft) => void;
  error?: ApiFailure;
  attributes: AttributeSuggestion[];
}) {
  const { draft } = props;
  const set = (patch: Partial<MessageDraft>) => props.onChange({ ...draft, ...patch });
  const error = aliased(props.error, draft.kind);
  const leftovers =
    error?.details.filter(
      (d) =>
        (d.field === 'message' || /^message[.[]/.test(d.field)) &&
        !shownMessageField(draft.kind, d.field),
    ) ?? [];
  return (
    <div class="cb-message-editor">
      <SelectField
        label="Kind of message"
        value={draft.kind}
        field="message.kind"
        error={error}
        options={MESSAGE_KINDS.map((k) => ({ value: k.value, label: k.label }))}
        onChange={(kind) => set({ kind: kind as MessageKind })}
      />
      <FieldError reason={exactReason(error, 'message')} />
      {draft.kind !== 'raw' && <PersonaliseBar attributes={props.attributes} />}
      <KindEditor draft={draft} set={set} error={error} />
      {leftovers.length > 0 && (
        <div class="field-error" role="alert">
          Also about the message:
          <ul>
            {leftovers.map((d) => (
              <li key={d.field + d.reason}>
                <code>{d.field}</code> {d.reason}
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}

type Set = (patch: Partial<MessageDraft>) => void;

function KindEditor(props: { draft: MessageDraft; set: Set; error?: ApiFailure }) {
  const { draft, set, error } = props;
  switch (draft.kind) {
    case 'text':
      return (
        <>
          <LiquidField
            label="Message text"
            value={draft.text}
            onInput={(text) => set({ text })}
            field="message.text"
            error={error}
            limit={LIMITS.text}
            multiline
            hint="Counted as written; each person's message is checked again once personalised."
          />
          <QuickReplies
            replies={draft.quickReplies}
            onChange={(quickReplies) => set({ quickReplies })}
            error={error}
          />
        </>
      );
    case 'buttons':
      return (
        <>
          <LiquidField
            label="Message text"
            value={draft.text}
            onInput={(text) => set({ text })}
            field="message.text"
            error={error}
            limit={LIMITS.buttonTemplateText}
            multiline
            hint="Text above buttons: at most 640 characters."
          />
          <Buttons
            buttons={draft.buttons}
            onChange={(buttons) => set({ buttons })}
            field="message.buttons"
            min={1}
            error={error}
          />
        </>
      );
    case 'generic':
      return (
        <Cards elements={draft.elements} onChange={(elements) => set({ elements })} error={error} />
      );
    case 'attachment':
      return (
        <>
          <SelectField
            label="Attachment"
            value={draft.attachmentType}
            field="message.attachmentType"
            error={error}
            options={[
              { value: 'image', label: 'Image' },
              { value: 'video', label: 'Video' },
              { value: 'audio', label: 'Audio' },
              { value: 'file', label: 'File' },
            ]}
            onChange={(value) => set({ attachmentType: value as MessageDraft['attachmentType'] })}
          />
          <Source
            name="attachment-source"
            urlLabel="A web address (URL)"
            draft={draft}
            set={set}
            error={error}
          >
            <TextField
              label="File URL"
              type="url"
              value={draft.url}
              onInput={(url) => set({ url })}
              field="message.url"
              error={error}
              placeholder="https://example.com/photo.jpg"
            />
            <Check
              label="Let Facebook keep it for reuse (uploaded once for everyone)"
              checked={draft.reusable}
              onChange={(reusable) => set({ reusable })}
            />
          </Source>
          {(draft.attachmentType === 'audio' || draft.attachmentType === 'video') && (
            <p class="hint">Audio and video are sent at most 10 messages per second.</p>
          )}
          <QuickReplies
            replies={draft.quickReplies}
            onChange={(quickReplies) => set({ quickReplies })}
            error={error}
          />
        </>
      );
    case 'media':
      return (
        <>
          <SelectField
            label="Media"
            value={draft.mediaType}
            field="message.mediaType"
            error={error}
            options={[
              { value: 'image', label: 'Photo' },
              { value: 'video', label: 'Video' },
            ]}
            onChange={(value) => set({ mediaType: value as MessageDraft['mediaType'] })}
          />
          <Source
            name="media-source"
            urlLabel="A photo or video of the Page on Facebook"
            draft={draft}
            set={set}
            error={error}
          >
            <TextField
              label="Facebook URL"
              type="url"
              value={draft.mediaUrl}
              onInput={(mediaUrl) => set({ mediaUrl })}
              field="message.url"
              error={error}
              placeholder="https://www.facebook.com/yourpage/photos/…"
              hint="Media templates take only facebook.com URLs of the Page's photos and videos."
            />
          </Source>
          <Check
            label="Add a button under it"
            checked={draft.mediaButton !== null}
            onChange={(on) => set({ mediaButton: on ? emptyButton() : null })}
          />
          {draft.mediaButton && (
            <ButtonRow
              legend="Button"
              button={draft.mediaButton}
              field="message.button"
              error={error}
              onChange={(mediaButton) => set({ mediaButton })}
            />
          )}
        </>
      );
    case 'otn_request':
      return (
        <>
          <p class="hint">
            Asks the person whether they want one follow-up message about a topic. When they agree,
            the Page gets a one-time token for that topic (the “One-time notification” delivery).
          </p>
          <LiquidField
            label="Question shown"
            value={draft.title}
            onInput={(title) => set({ title })}
            field="message.title"
            error={error}
            limit={LIMITS.otnTitle}
            placeholder="Get told when it is back in stock?"
          />
          <TextField
            label="Topic (payload sent back)"
            value={draft.payload}
            onInput={(payload) => set({ payload })}
            field="message.payload"
            error={error}
            limit={LIMITS.payload}
            placeholder="restock"
          />
        </>
      );
    case 'raw':
      return <RawEditor raw={draft.raw} onChange={(raw) => set({ raw })} error={error} />;
  }
}

/** Where an attachment or a media template's file comes from: a URL (`children`), or an uploaded attachment's id. */
function Source(props: {
  name: string;
  urlLabel: string;
  draft: MessageDraft;
  set: Set;
  error?: ApiFailure;
  children: ComponentChildren;
}) {
  const { draft, set, error } = props;
  return (
    <>
      <Choice
        legend="Where it comes from"
        name={props.name}
        value={draft.source}
        options={[
          { value: 'url', label: props.urlLabel },
          { value: 'attachmentId', label: 'An attachment already uploaded (id)' },
        ]}
        onChange={(source) => set({ source: source as MessageDraft['source'] })}
      />
      {draft.source === 'url' ? (
        props.children
      ) : (
        <TextField
          label="Attachment id"
          value={draft.attachmentId}
          onInput={(attachmentId) => set({ attachmentId })}
          field="message.attachmentId"
          error={error}
          hint="Digits, from a Send API attachment upload."
        />
      )}
    </>
  );
}

function RawEditor(props: { raw: string; onChange: (raw: string) => void; error?: ApiFailure }) {
  const parsed = parseRaw(props.raw);
  return (
    <Field
      label="Send API message (JSON)"
      field="message.payload"
      error={props.error}
      hint={
        <>
          The <code>message</code> object of a Send API call, e.g.{' '}
          <code>{'{"text": "Hi {{ user.firstName }}"}'}</code>; strings may use Liquid. At most 64
          KiB; Messenger's limits are checked on save.
          {!parsed.ok && (
            <span class="field-error" role="status">
              {' '}
              Not valid JSON yet: {parsed.error}
            </span>
          )}
        </>
      }
    >
      {({ id, describedBy, invalid }) => (
        <textarea
          id={id}
          name="message.payload"
          class="cb-code"
          rows={12}
          spellcheck={false}
          value={props.raw}
          aria-describedby={describedBy}
          aria-invalid={invalid || !parsed.ok}
          onInput={(event) => props.onChange(event.currentTarget.value)}
        />
      )}
    </Field>
  );
}

function QuickReplies(props: {
  replies: QuickReplyDraft[];
  onChange: (replies: QuickReplyDraft[]) => void;
  error?: ApiFailure;
}) {
  const { replies } = props;
  const update = (index: number, patch: Partial<QuickReplyDraft>) =>
    props.onChange(patchAt(replies, index, patch));
  return (
    <fieldset class="cb-rows">
      <legend>Quick replies</legend>
      <RowCount
        count={replies.length}
        max={LIMITS.quickReplies}
        noun="quick replies"
        atMost="Messenger shows at most"
        reason={exactReason(props.error, 'message.quickReplies')}
      />
      {replies.map((reply, index) => {
        const at = `message.quickReplies[${index}]`;
        const more = Boolean(
          reply.payload ||
            reply.imageUrl ||
            props.error?.reasonFor(`${at}.payload`) ||
            props.error?.reasonFor(`${at}.imageUrl`),
        );
        return (
          <fieldset class="cb-row" key={index}>
            <legend>Quick reply {index + 1}</legend>
            <div class="cb-row__fields">
              <SelectField
                label="Type"
                value={reply.type}
                options={[
                  { value: 'text', label: 'A reply button' },
                  { value: 'user_email', label: 'Ask for their email' },
                  { value: 'user_phone_number', label: 'Ask for their phone number' },
                ]}
                onChange={(type) => update(index, { type: type as QuickReplyType })}
              />
              {reply.type === 'text' && (
                <LiquidField
                  label="Title"
                  target={`Quick reply ${index + 1} title`}
                  value={reply.title}
                  onInput={(title) => update(index, { title })}
                  field={`${at}.title`}
                  error={props.error}
                  limit={LIMITS.title}
                />
              )}
            </div>
            {reply.type === 'text' && (
              <details class="cb-more" open={more}>
                <summary>Payload and icon (optional)</summary>
                <div class="cb-row__fields">
                  <TextField
                    label="Payload"
                    value={reply.payload}
                    onInput={(payload) => update(index, { payload })}
                    field={`${at}.payload`}
                    error={props.error}
                    hint="Sent back when tapped; the title if empty."
                  />
                  <TextField
                    label="Icon URL"
                    type="url"
                    value={reply.imageUrl}
                    onInput={(imageUrl) => update(index, { imageUrl })}
                    field={`${at}.imageUrl`}
                    error={props.error}
                  />
                </div>
              </details>
            )}
            <Button onClick={() => props.onChange(removeAt(replies, index))}>
              Remove quick reply {index + 1}
            </Button>
          </fieldset>
        );
      })}
      <Button onClick={() => props.onChange([...replies, emptyQuickReply()])}>
        Add a quick reply
      </Button>
    </fieldset>
  );
}

function Buttons(props: {
  buttons: ButtonDraft[];
  onChange: (buttons: ButtonDraft[]) => void;
  field: string;
  min: number;
  error?: ApiFailure;
  /** Prefixes the row names, e.g. "Card 2". */
  owner?: string;
}) {
  const { buttons } = props;
  const name = (index: number) => `${props.owner ? `${props.owner}, b` : 'B'}utton ${index + 1}`;
  return (
    <div class="cb-rows">
      <RowCount
        count={buttons.length}
        max={LIMITS.buttons}
        noun="buttons"
        least={props.min > 0 ? ' (at least 1)' : ''}
        reason={exactReason(props.error, props.field)}
      />
      {buttons.map((button, index) => (
        <ButtonRow
          key={index}
          legend={name(index)}
          button={button}
          field={`${props.field}[${index}]`}
          error={props.error}
          onChange={(next) => props.onChange(patchAt(buttons, index, next))}
          onRemove={() => props.onChange(removeAt(buttons, index))}
        />
      ))}
      <Button onClick={() => props.onChange([...buttons, emptyButton()])}>
        Add a button{props.owner ? ` to ${props.owner.toLowerCase()}` : ''}
      </Button>
    </div>
  );
}

function ButtonRow(props: {
  legend: string;
  button: ButtonDraft;
  field: string;
  error?: ApiFailure;
  onChange: (button: ButtonDraft) => void;
  onRemove?: () => void;
}) {
  const { button } = props;
  const type = BUTTON_TYPES.find((t) => t.value === button.type)!;
  const set = (patch: Partial<ButtonDraft>) => props.onChange({ ...button, ...patch });
  return (
    <fieldset class="cb-row">
      <legend>{props.legend}</legend>
      <div class="cb-row__fields">
        <SelectField
          label="What it does"
          value={button.type}
          options={BUTTON_TYPES.map((t) => ({ value: t.value, label: t.label }))}
          onChange={(value) => set({ type: value as ButtonDraft['type'] })}
        />
        {button.type !== 'account_unlink' && (
          <LiquidField
            label="Title"
            target={`${props.legend} title`}
            value={button.title}
            onInput={(title) => set({ title })}
            field={`${props.field}.title`}
            error={props.error}
            limit={LIMITS.title}
            hint={
              button.type === 'account_link' ? 'Messenger shows its own “Log in” title.' : undefined
            }
          />
        )}
        {type.valueLabel && (
          <TextField
            label={type.valueLabel}
            type={button.type === 'web_url' || button.type === 'account_link' ? 'url' : 'text'}
            value={button.value}
            onInput={(value) => set({ value })}
            field={`${props.field}.value`}
            error={props.error}
            limit={button.type === 'postback' ? LIMITS.payload : undefined}
          />
        )}
      </div>
      {props.onRemove && (
        <Button onClick={props.onRemove}>Remove {props.legend.toLowerCase()}</Button>
      )}
    </fieldset>
  );
}

function Cards(props: {
  elements: ElementDraft[];
  onChange: (elements: ElementDraft[]) => void;
  error?: ApiFailure;
}) {
  const { elements } = props;
  const update = (index: number, patch: Partial<ElementDraft>) =>
    props.onChange(patchAt(elements, index, patch));
  return (
    <div class="cb-rows">
      <RowCount
        count={elements.length}
        max={LIMITS.elements}
        noun="cards"
        reason={exactReason(props.error, 'message.elements')}
      />
      {elements.map((element, index) => {
        const at = `message.elements[${index}]`;
        const card = `Card ${index + 1}`;
        return (
          <fieldset class="cb-row cb-row--card" key={index}>
            <legend>{card}</legend>
            <FieldError reason={exactReason(props.error, at)} />
            <div class="cb-row__fields">
              <LiquidField
                label="Title"
                target={`${card} title`}
                value={element.title}
                onInput={(title) => update(index, { title })}
                field={`${at}.title`}
                error={props.error}
                limit={LIMITS.elementTitle}
              />
              <LiquidField
                label="Subtitle"
                target={`${card} subtitle`}
                value={element.subtitle}
                onInput={(subtitle) => update(index, { subtitle })}
                field={`${at}.subtitle`}
                error={props.error}
                limit={LIMITS.elementTitle}
              />
              <TextField
                label="Image URL"
                type="url"
                value={element.imageUrl}
                onInput={(imageUrl) => update(index, { imageUrl })}
                field={`${at}.imageUrl`}
                error={props.error}
              />
              <TextField
                label="Opens when tapped (URL)"
                type="url"
                value={element.defaultActionUrl}
                onInput={(defaultActionUrl) => update(index, { defaultActionUrl })}
                field={`${at}.defaultActionUrl`}
                error={props.error}
              />
            </div>
            <Buttons
              buttons={element.buttons}
              onChange={(buttons) => update(index, { buttons })}
              field={`${at}.buttons`}
              min={0}
              owner={card}
              error={props.error}
            />
            {elements.length > 1 && (
              <Button onClick={() => props.onChange(removeAt(elements, index))}>
                Remove card {index + 1}
              </Button>
            )}
          </fieldset>
        );
      })}
      <Button onClick={() => props.onChange([...elements, emptyElement()])}>Add a card</Button>
    </div>
  );
}

/** A group of radio buttons with its legend. */
export function Choice(props: {
  legend: string;
  name: string;
  value: string;
  options: { value: string; label: string; hint?: ComponentChildren }[];
  onChange: (value: string) => void;
  error?: string;
}) {
  const id = useId();
  return (
    <fieldset class="cb-choice" aria-describedby={props.error ? `${id}-error` : undefined}>
      <legend>{props.legend}</legend>
      {props.options.map((option) => (
        <label class="cb-choice__option" key={option.value}>
          <input
            type="radio"
            name={`${props.name}-${id}`}
            value={option.value}
            checked={props.value === option.value}
            onChange={() => props.onChange(option.value)}
          />
          <span>
            {option.label}
            {option.hint && <span class="hint cb-choice__hint">{option.hint}</span>}
          </span>
        </label>
      ))}
      {props.error && (
        <p class="field-error" id={`${id}-error`} role="alert">
          {props.error}
        </p>
      )}
    </fieldset>
  );
}

export function Check(props: {
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  hint?: string;
}) {
  return (
    <label class="cb-check">
      <input
        type="checkbox"
        checked={props.checked}
        onChange={(event) => props.onChange(event.currentTarget.checked)}
      />
      <span>
        {props.label}
        {props.hint && <span class="hint cb-choice__hint">{props.hint}</span>}
      </span>
    </label>
  );
}

/** The row at `index` changed by `patch`, the others kept. */
function patchAt<T>(rows: T[], index: number, patch: Partial<T>): T[] {
  return rows.map((row, i) => (i === index ? { ...row, ...patch } : row));
}

function removeAt<T>(rows: T[], index: number): T[] {
  return rows.filter((_, i) => i !== index);
}

/**
 * How many rows a list holds against Messenger's limit (what to remove when
 * over it), and the API's reason for the list itself.
 */
function RowCount(props: {
  count: number;
  max: number;
  noun: string;
  /** The words before the limit when over it. */
  atMost?: string;
  /** Added after the count when under the limit, e.g. " (at least 1)". */
  least?: string;
  reason?: string;
}) {
  const over = props.count > props.max;
  return (
    <>
      <p class={`count${over ? ' count--over' : ''}`} aria-live="polite">
        {over
          ? `${props.count} ${props.noun}: ${props.atMost ?? 'at most'} ${props.max}. Remove ${props.count - props.max}.`
          : `${props.count} of ${props.max} ${props.noun}${props.least ?? ''}`}
      </p>
      <FieldError reason={props.reason} />
    </>
  );
}

export function FieldError(props: { reason?: string }) {
  if (!props.reason) return null;
  return (
    <p class="field-error" role="alert">
      {props.reason}
    </p>
  );
}

/**
 * The API names a quick reply or button given in short form by its index
 * (`message.quickReplies[3]`): its title is what is wrong, so the reason is shown
 * beside the title. A Liquid problem named on the compiled message is moved to
 * the editor's field.
 */
function aliased(error: ApiFailure | undefined, kind: MessageKind): ApiFailure | undefined {
  if (!error) return undefined;
  const shortForm =
    /^message\.(quickReplies|buttons|elements\[\d+\]\.buttons)\[\d+\]$|^message\.button$/;
  const details = error.details.map(({ field, reason }) => {
    const at = editorField(kind, field);
    return { field: shortForm.test(at) ? `${at}.title` : at, reason };
  });
  return new ApiFailure(error.status, error.message, details, error.code);
}
