import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import type { ApiFailure } from '../api';

/** A labelled control with its hint, its characters left and the API's reason for it, announced to screen readers. */
export function Field(props: {
  label: string;
  /** The API field whose reason is shown here (SPEC §9 `details`). */
  field?: string;
  error?: ApiFailure;
  hint?: ComponentChildren;
  /** With `length`, shows the characters left. */
  limit?: number;
  length?: number;
  children: (ids: { id: string; describedBy: string | undefined; invalid: boolean }) => JSX.Element;
}) {
  const id = useId();
  const reason = props.field && props.error ? props.error.reasonFor(props.field) : undefined;
  const over = props.limit !== undefined && (props.length ?? 0) > props.limit;
  const describedBy =
    [
      props.hint ? `${id}-hint` : '',
      props.limit !== undefined ? `${id}-count` : '',
      reason ? `${id}-error` : '',
    ]
      .filter(Boolean)
      .join(' ') || undefined;
  return (
    <div class={`field${reason || over ? ' field--invalid' : ''}`}>
      <label for={id}>{props.label}</label>
      {props.children({ id, describedBy, invalid: Boolean(reason) || over })}
      {props.hint && (
        <p class="hint" id={`${id}-hint`}>
          {props.hint}
        </p>
      )}
      {props.limit !== undefined && (
        <p class={`count${over ? ' count--over' : ''}`} id={`${id}-count`} aria-live="polite">
          {over
            ? `${(props.length ?? 0) - props.limit} characters over the limit of ${props.limit}`
            : `${props.limit - (props.length ?? 0)} characters left`}
        </p>
      )}
      {reason && (
        <p class="field-error" id={`${id}-error`} role="alert">
          {reason}
        </p>
      )}
    </div>
  );
}

/** A text input inside a Field. */
export function TextField(props: {
  label: string;
  value: string;
  onInput: (value: string) => void;
  field?: string;
  error?: ApiFailure;
  hint?: ComponentChildren;
  limit?: number;
  type?: string;
  placeholder?: string;
  required?: boolean;
  multiline?: boolean;
  name?: string;
}) {
  return (
    <Field
      label={props.label}
      field={props.field}
      error={props.error}
      hint={props.hint}
      limit={props.limit}
      length={props.value.length}
    >
      {({ id, describedBy, invalid }) =>
        props.multiline ? (
          <textarea
            id={id}
            name={props.name ?? props.field}
            value={props.value}
            rows={4}
            required={props.required}
            placeholder={props.placeholder}
            aria-describedby={describedBy}
            aria-invalid={invalid}
            onInput={(event) => props.onInput(event.currentTarget.value)}
          />
        ) : (
          <input
            id={id}
            name={props.name ?? props.field}
            type={props.type ?? 'text'}
            value={props.value}
            required={props.required}
            placeholder={props.placeholder}
            aria-describedby={describedBy}
            aria-invalid={invalid}
            onInput={(event) => props.onInput(event.currentTarget.value)}
          />
        )
      }
    </Field>
  );
}

/** A select inside a Field. */
export function SelectField(props: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  options: { value: string; label: string }[];
  field?: string;
  error?: ApiFailure;
  hint?: ComponentChildren;
  name?: string;
}) {
  return (
    <Field label={props.label} field={props.field} error={props.error} hint={props.hint}>
      {({ id, describedBy, invalid }) => (
        <select
          id={id}
          name={props.name ?? props.field}
          value={props.value}
          aria-describedby={describedBy}
          aria-invalid={invalid}
          onChange={(event) => props.onChange(event.currentTarget.value)}
        >
          {props.options.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

/** A button that shows it is working and cannot be pressed again meanwhile. */
export function Button(
  props: JSX.ButtonHTMLAttributes<HTMLButtonElement> & {
    busy?: boolean;
    variant?: 'primary' | 'secondary' | 'danger';
    busyLabel?: string;
  },
) {
  const { busy, variant = 'secondary', busyLabel, children, disabled, ...rest } = props;
  return (
    <button
      type="button"
      {...rest}
      class={`button button--${variant}`}
      disabled={Boolean(disabled) || busy}
      aria-busy={busy}
    >
      {busy ? (busyLabel ?? 'Working…') : children}
    </button>
  );
}

const covers = (shown: string[], field: string) =>
  shown.some((name) => field === name || field.startsWith(`${name}.`));

/**
 * The API's refusal: its message, and the reasons of fields that no control on
 * the screen shows (those are shown beside their control instead). Left out
 * when every reason it gives is already shown beside its field (it would only
 * repeat them).
 */
export function ErrorNotice(props: { error?: ApiFailure; shownFields?: string[]; title?: string }) {
  if (!props.error) return null;
  const shown = props.shownFields ?? [];
  const { details } = props.error;
  const rest = details.filter((detail) => !covers(shown, detail.field));
  if (details.length > 0 && rest.length === 0) return null;
  return (
    <div class="notice notice--error" role="alert">
      <strong>{props.title ?? 'Not done'}</strong>: {props.error.message}
      {rest.length > 0 && (
        <ul>
          {rest.map((detail) => (
            <li key={detail.field + detail.reason}>
              <code>{detail.field}</code> {detail.reason}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/**
 * A table that scrolls sideways on a narrow screen: the scrolling box takes the
 * keyboard focus (and is named), so it can be scrolled without a mouse.
 */
export function TableScroll(props: { label: string; children: ComponentChildren }) {
  return (
    <div class="table-scroll" tabIndex={0} role="region" aria-label={props.label}>
      {props.children}
    </div>
  );
}

export function Notice(props: {
  kind?: 'info' | 'success' | 'warning';
  children: ComponentChildren;
}) {
  return (
    <div class={`notice notice--${props.kind ?? 'info'}`} role="status">
      {props.children}
    </div>
  );
}

export function Loading(props: { what?: string }) {
  return (
    <p class="loading" role="status" aria-live="polite">
      Loading{props.what ? ` ${props.what}` : ''}…
    </p>
  );
}

export function Empty(props: { children: ComponentChildren }) {
  return <div class="empty">{props.children}</div>;
}

export function ProgressBar(props: { value: number; max: number; label: string }) {
  const percent = props.max > 0 ? Math.min(100, Math.round((props.value / props.max) * 100)) : 0;
  return (
    <div class="progress">
      <div
        class="progress__track"
        role="progressbar"
        aria-label={props.label}
        aria-valuemin={0}
        aria-valuemax={props.max}
        aria-valuenow={props.value}
        aria-valuetext={`${percent}%`}
      >
        <div class="progress__bar" style={{ width: `${percent}%` }} />
      </div>
      <span class="progress__label">{percent}%</span>
    </div>
  );
}

/** A button that asks first, in a modal dialog the keyboard can answer. */
export function ConfirmButton(props: {
  label: string;
  question: string;
  confirmLabel?: string;
  onConfirm: () => void | Promise<unknown>;
  busy?: boolean;
  variant?: 'primary' | 'secondary' | 'danger';
  disabled?: boolean;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [open, setOpen] = useState(false);
  const titleId = useId();
  useEffect(() => {
    if (open) dialog.current?.showModal();
    else dialog.current?.close();
  }, [open]);
  return (
    <>
      <Button
        variant={props.variant}
        busy={props.busy}
        disabled={props.disabled}
        onClick={() => setOpen(true)}
      >
        {props.label}
      </Button>
      <dialog ref={dialog} aria-labelledby={titleId} onClose={() => setOpen(false)}>
        <p id={titleId}>{props.question}</p>
        <div class="actions">
          <Button onClick={() => setOpen(false)}>Keep as is</Button>
          <Button
            variant={props.variant === 'danger' ? 'danger' : 'primary'}
            onClick={() => {
              setOpen(false);
              void props.onConfirm();
            }}
          >
            {props.confirmLabel ?? props.label}
          </Button>
        </div>
      </dialog>
    </>
  );
}

/** A status word as a coloured badge; the word itself carries the meaning. */
export function StatusBadge(props: { status: string }) {
  return (
    <span class={`badge badge--${props.status.replace(/[^a-z_]/gi, '')}`}>
      {props.status.replace(/_/g, ' ')}
    </span>
  );
}

/** A screen's title and the actions that go with it. */
export function ScreenHeader(props: { title: string; children?: ComponentChildren }) {
  useEffect(() => {
    document.title = `${props.title} · Messenger campaigns`;
  }, [props.title]);
  return (
    <header class="screen-header">
      <h1>{props.title}</h1>
      {props.children && <div class="actions">{props.children}</div>}
    </header>
  );
}
