/**
 * Personalisation helpers: text fields that take Liquid remember which one the
 * marketer was last in, and the "Personalise" bar inserts a placeholder such as
 * `{{ user.firstName }}` (or an attribute GET /pages/:pageId/attributes found on
 * the Page's newest users, with example values) at its cursor.
 */
import { createContext, type ComponentChildren } from 'preact';
import { useContext, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { ApiFailure } from '../api';
import { Button, Field } from '../ui/components';
import { attributePath, BUILT_IN_FIELDS, charCount, placeholder } from './campaign-message';
import type { AttributeSuggestion } from './campaign-types';

type TextControl = HTMLInputElement | HTMLTextAreaElement;
interface Target {
  label: string;
  el: TextControl;
  set: (value: string) => void;
}

interface Personalise {
  target: { current: Target | null };
  label: string | undefined;
  choose: (target: Target | null) => void;
}

const PersonaliseContext = createContext<Personalise | null>(null);

export function PersonaliseProvider(props: { children: ComponentChildren }) {
  const target = useRef<Target | null>(null);
  const [label, setLabel] = useState<string | undefined>();
  const value = useMemo<Personalise>(
    () => ({
      target,
      label,
      choose: (next) => {
        target.current = next;
        setLabel(next?.label);
      },
    }),
    [label],
  );
  return <PersonaliseContext.Provider value={value}>{props.children}</PersonaliseContext.Provider>;
}

/**
 * A text input or text area that may hold Liquid, with its characters left
 * (counted as written: each person's message is checked again once filled in)
 * and the API's reason for its field.
 */
export function LiquidField(props: {
  label: string;
  /** How the Personalise bar names this field when the label alone is ambiguous ("Card 2 title"). */
  target?: string;
  value: string;
  onInput: (value: string) => void;
  field: string;
  error?: ApiFailure;
  limit?: number;
  multiline?: boolean;
  hint?: ComponentChildren;
  placeholder?: string;
  disabled?: boolean;
}) {
  const context = useContext(PersonaliseContext);
  const element = useRef<TextControl>(null);
  const latest = useRef(props);
  latest.current = props;
  const target = (): Target | null =>
    element.current
      ? {
          label: props.target ?? props.label,
          el: element.current,
          set: (value) => latest.current.onInput(value),
        }
      : null;
  useEffect(() => {
    // The first Liquid field is the bar's target until the marketer clicks into another.
    if (context && !context.target.current) context.choose(target());
    return () => {
      if (context && context.target.current?.el === element.current) context.choose(null);
    };
  }, []);
  const focus = () => {
    if (context && context.target.current?.el !== element.current) context.choose(target());
  };
  return (
    <Field
      label={props.label}
      field={props.field}
      error={props.error}
      hint={props.hint}
      limit={props.limit}
      length={charCount(props.value)}
    >
      {({ id, describedBy, invalid }) =>
        props.multiline ? (
          <textarea
            id={id}
            ref={element as { current: HTMLTextAreaElement | null }}
            name={props.field}
            value={props.value}
            rows={4}
            placeholder={props.placeholder}
            disabled={props.disabled}
            aria-describedby={describedBy}
            aria-invalid={invalid}
            onFocus={focus}
            onInput={(event) => props.onInput(event.currentTarget.value)}
          />
        ) : (
          <input
            id={id}
            ref={element as { current: HTMLInputElement | null }}
            name={props.field}
            type="text"
            value={props.value}
            placeholder={props.placeholder}
            disabled={props.disabled}
            aria-describedby={describedBy}
            aria-invalid={invalid}
            onFocus={focus}
            onInput={(event) => props.onInput(event.currentTarget.value)}
          />
        )
      }
    </Field>
  );
}

/** `city (e.g. Lyon, Nice)`: an attribute's name with a few of its values. */
function attributeLabel(attribute: AttributeSuggestion): string {
  const examples = attribute.examples
    .map((value) =>
      typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
        ? String(value)
        : '',
    )
    .filter((text) => text !== '')
    .slice(0, 2)
    .map((text) => (text.length > 24 ? `${text.slice(0, 23)}…` : text));
  return examples.length > 0 ? `${attribute.name} (e.g. ${examples.join(', ')})` : attribute.name;
}

/** Picks a personal field (built-in, or an attribute seen on the Page's users) and inserts it where the cursor was. */
export function PersonaliseBar(props: { attributes: AttributeSuggestion[]; disabled?: boolean }) {
  const context = useContext(PersonaliseContext);
  const [path, setPath] = useState(BUILT_IN_FIELDS[0].path);
  const [fallback, setFallback] = useState('');
  const insert = () => {
    const target = context?.target.current;
    if (!target) return;
    const text = placeholder(path, fallback.trim());
    const el = target.el;
    const start = el.selectionStart ?? el.value.length;
    const end = el.selectionEnd ?? start;
    target.set(el.value.slice(0, start) + text + el.value.slice(end));
    requestAnimationFrame(() => {
      el.focus();
      el.setSelectionRange(start + text.length, start + text.length);
    });
  };
  return (
    <fieldset class="cb-personalise" disabled={props.disabled}>
      <legend>Personalise</legend>
      <div class="cb-personalise__row">
        <Field label="Personal field">
          {({ id, describedBy }) => (
            <select
              id={id}
              value={path}
              aria-describedby={describedBy}
              onChange={(event) => setPath(event.currentTarget.value)}
            >
              <optgroup label="Built-in">
                {BUILT_IN_FIELDS.map((f) => (
                  <option key={f.path} value={f.path}>
                    {f.label}
                  </option>
                ))}
              </optgroup>
              {props.attributes.length > 0 && (
                <optgroup label="Attributes of your users">
                  {props.attributes.map((attribute) => (
                    <option key={attribute.name} value={attributePath(attribute.name)}>
                      {attributeLabel(attribute)}
                    </option>
                  ))}
                </optgroup>
              )}
            </select>
          )}
        </Field>
        <Field label="If empty, write" hint="Optional, e.g. there">
          {({ id, describedBy }) => (
            <input
              id={id}
              type="text"
              value={fallback}
              aria-describedby={describedBy}
              onInput={(event) => setFallback(event.currentTarget.value)}
            />
          )}
        </Field>
        <div class="cb-personalise__insert">
          <Button onClick={insert} disabled={!context?.label}>
            Insert
          </Button>
        </div>
      </div>
      <p class="hint" aria-live="polite">
        {context?.label ? (
          <>
            Inserts <code>{placeholder(path, fallback.trim())}</code> into “{context.label}” where
            the cursor was.
          </>
        ) : (
          'Click into a text of the message first.'
        )}
      </p>
    </fieldset>
  );
}
