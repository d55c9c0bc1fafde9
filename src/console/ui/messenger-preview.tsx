/**
 * Draws a Send API `message` object as Messenger would show it: text bubbles,
 * quick replies, button templates, a carousel of cards, attachments, media and
 * one-time-notification requests, and a utility template filled with its
 * parameters. Nothing here is interactive: buttons and quick replies are pictures.
 */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import '../screens/campaigns.css';

type Json = Record<string, unknown>;

/** A Page's utility template, as GET /pages/:pageId/templates lists it. */
export interface PreviewTemplate {
  name: string;
  language: string;
  components: Json[];
}

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const str = (value: unknown): string => (typeof value === 'string' ? value : '');
const list = (value: unknown): Json[] => (Array.isArray(value) ? value.filter(isObject) : []);

export function MessengerPreview(props: {
  message: Json;
  /** The phone's accessible name, e.g. "Preview for Ana". */
  label: string;
  /** Highlights Liquid placeholders: the message as typed, before the API renders it per user. */
  showLiquid?: boolean;
  templates?: PreviewTemplate[];
}) {
  return (
    <div class="phone mp-phone" role="group" aria-label={props.label}>
      <Message message={props.message} showLiquid={props.showLiquid} templates={props.templates} />
    </div>
  );
}

function Message(props: { message: Json; showLiquid?: boolean; templates?: PreviewTemplate[] }) {
  const { message, showLiquid } = props;
  const text = (value: unknown) => <Text value={str(value)} showLiquid={showLiquid} />;
  const replies = list(message.quick_replies);
  let body: ComponentChildren;
  if (typeof message.text === 'string') {
    body = <p class="bubble">{text(message.text)}</p>;
  } else if (isObject(message.attachment)) {
    body = (
      <Attachment
        attachment={message.attachment}
        showLiquid={showLiquid}
        templates={props.templates}
      />
    );
  } else if (message.sticker_id !== undefined) {
    body = <p class="bubble mp-muted">Sticker {String(message.sticker_id as string | number)}</p>;
  } else {
    body = <Unknown value={message} />;
  }
  return (
    <div class="mp-message">
      {body}
      {replies.length > 0 && (
        <ul class="quick-replies mp-list" aria-label={`${replies.length} quick replies`}>
          {replies.map((reply, index) => (
            <li class="quick-reply" key={index}>
              {reply.content_type === 'user_email' ? (
                'Email address'
              ) : reply.content_type === 'user_phone_number' ? (
                'Phone number'
              ) : (
                <>
                  {str(reply.image_url) && (
                    <Image src={str(reply.image_url)} alt="" className="mp-reply-icon" />
                  )}
                  {text(reply.title)}
                </>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function Attachment(props: {
  attachment: Json;
  showLiquid?: boolean;
  templates?: PreviewTemplate[];
}) {
  const { attachment, showLiquid } = props;
  const payload = isObject(attachment.payload) ? attachment.payload : {};
  const text = (value: unknown) => <Text value={str(value)} showLiquid={showLiquid} />;
  switch (attachment.type) {
    case 'image':
    case 'video':
    case 'audio':
    case 'file':
      return <MediaBox type={attachment.type} url={str(payload.url)} id={payload.attachment_id} />;
    case 'template':
      break;
    default:
      return <Unknown value={attachment} />;
  }
  switch (payload.template_type) {
    case 'button':
      return (
        <div class="bubble-buttons">
          <p class="bubble">{text(payload.text)}</p>
          <Buttons buttons={list(payload.buttons)} showLiquid={showLiquid} />
        </div>
      );
    case 'generic': {
      const elements = list(payload.elements);
      return (
        <div
          class="carousel"
          role="region"
          aria-label={`Carousel of ${elements.length} ${elements.length === 1 ? 'card' : 'cards'}`}
          tabIndex={0}
        >
          {elements.map((element, index) => (
            <div class="carousel-card" key={index}>
              {str(element.image_url) ? (
                <Image src={str(element.image_url)} alt="" />
              ) : (
                <div class="mp-noimage" aria-hidden="true" />
              )}
              <div class="card-text">
                <strong class="mp-card-title">{text(element.title)}</strong>
                {str(element.subtitle) && <div class="card-subtitle">{text(element.subtitle)}</div>}
              </div>
              <Buttons buttons={list(element.buttons)} showLiquid={showLiquid} />
            </div>
          ))}
        </div>
      );
    }
    case 'media': {
      const [element] = list(payload.elements);
      return (
        <div class="bubble-buttons mp-media">
          <MediaBox
            type={str(element?.media_type) || 'image'}
            url={str(element?.url)}
            id={element?.attachment_id}
          />
          <Buttons buttons={list(element?.buttons)} showLiquid={showLiquid} />
        </div>
      );
    }
    case 'one_time_notif_req':
      return (
        <div class="bubble-buttons">
          <p class="bubble">{text(payload.title)}</p>
          <span class="bubble-button">Notify me</span>
        </div>
      );
    case 'utility_messages':
      return <Utility payload={payload} templates={props.templates} showLiquid={showLiquid} />;
    default:
      return <Unknown value={attachment} />;
  }
}

/** A utility template's body with `{{n}}` filled from the parameters; header, footer and buttons as Facebook draws them. */
function Utility(props: { payload: Json; templates?: PreviewTemplate[]; showLiquid?: boolean }) {
  const { payload } = props;
  const language = isObject(payload.language) ? str(payload.language.code) : '';
  const [bodyComponent] = list(payload.components);
  const parameters = list(bodyComponent?.parameters).map((p) => str(p.text));
  const template = props.templates?.find((t) => t.name === payload.name && t.language === language);
  const part = (type: string) => template?.components.find((c) => c.type === type);
  if (!template) {
    return (
      <div class="bubble-buttons">
        <p class="bubble">
          <span class="mp-muted">
            Template {str(payload.name)} ({language})
          </span>
          {parameters.map((parameter, index) => (
            <span key={index}>
              {'\n'}
              {`{{${index + 1}}}`} = <Text value={parameter} showLiquid={props.showLiquid} />
            </span>
          ))}
        </p>
      </div>
    );
  }
  const body = str(part('BODY')?.text);
  const pieces = body.split(/(\{\{\s*\d+\s*\}\})/);
  const buttons = list(part('BUTTONS')?.buttons).map((b) => ({ title: str(b.text), type: '' }));
  return (
    <div class="bubble-buttons">
      <p class="bubble">
        {str(part('HEADER')?.text) && (
          <strong>
            {str(part('HEADER')?.text)}
            {'\n'}
          </strong>
        )}
        {pieces.map((piece, index) => {
          const number = /^\{\{\s*(\d+)\s*\}\}$/.exec(piece);
          if (!number) return piece;
          const value = parameters[Number(number[1]) - 1];
          return value === undefined ? (
            <mark class="mp-missing" key={index}>
              {piece}
            </mark>
          ) : (
            <Text key={index} value={value} showLiquid={props.showLiquid} />
          );
        })}
        {str(part('FOOTER')?.text) && (
          <span class="mp-muted">
            {'\n'}
            {str(part('FOOTER')?.text)}
          </span>
        )}
      </p>
      <Buttons buttons={buttons} />
    </div>
  );
}

function Buttons(props: { buttons: Json[]; showLiquid?: boolean }) {
  if (props.buttons.length === 0) return null;
  return (
    <ul class="mp-list" aria-label={`${props.buttons.length} buttons`}>
      {props.buttons.map((button, index) => (
        <li class="bubble-button" key={index}>
          {button.type === 'account_link' ? (
            'Log in'
          ) : button.type === 'account_unlink' ? (
            'Log out'
          ) : (
            <>
              {button.type === 'phone_number' && <span aria-hidden="true">☎ </span>}
              <Text value={str(button.title)} showLiquid={props.showLiquid} />
              {button.type === 'web_url' && <span aria-hidden="true"> ↗</span>}
            </>
          )}
        </li>
      ))}
    </ul>
  );
}

const MEDIA_WORDS: Record<string, string> = {
  image: 'Image',
  video: 'Video',
  audio: 'Audio',
  file: 'File',
};

function MediaBox(props: { type: string; url: string; id: unknown }) {
  const word = MEDIA_WORDS[props.type] ?? 'Attachment';
  if (props.type === 'image' && props.url && !/facebook\.com\//i.test(props.url))
    return (
      <div class="mp-media-box">
        <Image src={props.url} alt={`${word} attachment`} />
      </div>
    );
  const source = props.url
    ? props.url
    : props.id !== undefined
      ? `uploaded attachment ${String(props.id as string | number)}`
      : 'no source yet';
  return (
    <div class="mp-media-box mp-media-box--placeholder">
      <span class="mp-media-word">
        <span aria-hidden="true">
          {props.type === 'video' ? '▶ ' : props.type === 'audio' ? '♪ ' : ''}
        </span>
        {word}
      </span>
      <span class="mp-media-source">{source}</span>
    </div>
  );
}

/** An image that turns into a plain placeholder when it cannot be loaded. */
function Image(props: { src: string; alt: string; className?: string }) {
  const [failed, setFailed] = useState<string | undefined>();
  if (failed === props.src)
    return (
      <span
        class={`mp-broken ${props.className ?? ''}`}
        role={props.alt ? 'img' : undefined}
        aria-label={props.alt || undefined}
      >
        {props.className ? '' : 'Image not loaded'}
      </span>
    );
  return (
    <img
      src={props.src}
      alt={props.alt}
      class={props.className}
      loading="lazy"
      referrerpolicy="no-referrer"
      onError={() => setFailed(props.src)}
    />
  );
}

/** Text with its Liquid placeholders marked, when asked. */
function Text(props: { value: string; showLiquid?: boolean }) {
  if (!props.value) return <span class="mp-muted">(empty)</span>;
  if (!props.showLiquid) return <>{props.value}</>;
  const parts = props.value.split(/(\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\})/);
  return (
    <>
      {parts.map((part, index) =>
        index % 2 === 1 ? (
          <mark class="mp-liquid" key={index}>
            {part}
          </mark>
        ) : (
          part
        ),
      )}
    </>
  );
}

function Unknown(props: { value: unknown }) {
  return (
    <div class="bubble mp-unknown">
      <span class="mp-muted">Messenger shows this message as sent; no picture of it here:</span>
      <pre>{JSON.stringify(props.value, null, 2)}</pre>
    </div>
  );
}
