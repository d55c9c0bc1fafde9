/**
 * What Facebook checks when a Page submits a utility template
 * (`POST /{page-id}/message_templates`), as pure functions: the API refuses the
 * same mistakes with field paths before submitting, and the sandbox refuses them
 * with Facebook's errors. Field names are the Graph API's.
 */
import type { ErrorDetail } from '../common/api-error';
import { isJsonObject } from '../common/json';

/** Facebook's template names: lowercase letters, digits and underscores. */
export const TEMPLATE_NAME = /^[a-z0-9_]{1,512}$/;
/** A locale as Facebook writes it: `en`, `en_US`, `pt_BR`. */
export const TEMPLATE_LANGUAGE = /^[a-z]{2,3}(_[A-Z]{2})?$/;

const LIMITS = { header: 60, body: 1024, footer: 60, buttonText: 25, buttons: 3 };
const BUTTON_TYPES = ['URL', 'POSTBACK', 'PHONE_NUMBER'];
/** Facebook's subcode for a quick-reply button in a Messenger utility template. */
export const QUICK_REPLY_SUBCODE = 2018416;

/** A template as submitted to Facebook and stored with its id. */
export interface TemplateDefinition {
  name: string;
  language: string;
  category: 'UTILITY';
  components: Record<string, unknown>[];
}

/** The `{{n}}` placeholders of a text, in order of appearance. */
function placeholders(text: string): number[] {
  return [...text.matchAll(/\{\{\s*(\d+)\s*\}\}/g)].map((match) => Number(match[1]));
}

/** How many parameters a template's body takes: one per distinct `{{n}}`. */
export function bodyParameterCount(components: readonly Record<string, unknown>[]): number {
  const body = components.find((component) => component.type === 'BODY');
  return typeof body?.text === 'string' ? new Set(placeholders(body.text)).size : 0;
}

/** A problem naming a field; `subcode` when Facebook answers it with its own. */
export type TemplateProblem = ErrorDetail & { subcode?: number };

/** Every problem of a template submission, with field paths; empty when Facebook would take it. */
export function templateDefinitionProblems(input: unknown): TemplateProblem[] {
  if (!isJsonObject(input)) return [{ field: '', reason: 'must be a JSON object' }];
  const problems: TemplateProblem[] = [];
  const add = (field: string, reason: string, subcode?: number) =>
    problems.push({ field, reason, ...(subcode ? { subcode } : {}) });
  if (typeof input.name !== 'string' || !TEMPLATE_NAME.test(input.name))
    add('name', 'must be lowercase letters, digits and underscores (at most 512)');
  if (typeof input.language !== 'string' || !TEMPLATE_LANGUAGE.test(input.language))
    add('language', 'must be a locale such as en_US');
  if (input.category !== 'UTILITY') add('category', 'must be UTILITY');
  if (!Array.isArray(input.components) || input.components.length === 0) {
    add('components', 'must be a non-empty array with a BODY');
    return problems;
  }
  const seen = new Set<string>();
  for (const [index, component] of input.components.entries()) {
    const at = `components.${index}`;
    if (!isJsonObject(component)) {
      add(at, 'must be a JSON object');
      continue;
    }
    const type = String(component.type);
    if (seen.has(type)) add(`${at}.type`, `${type} may appear only once`);
    seen.add(type);
    switch (type) {
      case 'HEADER':
        if (component.format !== undefined && component.format !== 'TEXT')
          add(`${at}.format`, 'must be TEXT');
        textProblems(component, at, LIMITS.header, add);
        if (typeof component.text === 'string' && placeholders(component.text).length > 0)
          add(`${at}.text`, 'must not have parameters (only the body has)');
        break;
      case 'BODY':
        textProblems(component, at, LIMITS.body, add);
        bodyParameterProblems(component, at, add);
        break;
      case 'FOOTER':
        textProblems(component, at, LIMITS.footer, add);
        break;
      case 'BUTTONS':
        buttonProblems(component.buttons, `${at}.buttons`, add);
        break;
      default:
        add(`${at}.type`, 'must be HEADER, BODY, FOOTER or BUTTONS');
    }
  }
  if (!seen.has('BODY')) add('components', 'must include a BODY');
  return problems;
}

type Add = (field: string, reason: string, subcode?: number) => void;

function textProblems(component: Record<string, unknown>, at: string, max: number, add: Add) {
  if (typeof component.text !== 'string' || component.text.trim() === '')
    add(`${at}.text`, 'must be non-empty text');
  else if (component.text.length > max) add(`${at}.text`, `must be at most ${max} characters`);
}

/** `{{1}}`..`{{n}}` with no gap, and one example for each (`example.body_text: [[…]]`). */
function bodyParameterProblems(component: Record<string, unknown>, at: string, add: Add) {
  if (typeof component.text !== 'string') return;
  const numbers = [...new Set(placeholders(component.text))].sort((a, b) => a - b);
  if (numbers.some((number, index) => number !== index + 1)) {
    add(`${at}.text`, 'parameters must be {{1}}, {{2}}, … without gaps');
    return;
  }
  if (numbers.length === 0) return;
  const example = isJsonObject(component.example) ? component.example.body_text : undefined;
  const values: unknown = Array.isArray(example) ? example[0] : undefined;
  if (
    !Array.isArray(values) ||
    values.length !== numbers.length ||
    values.some((value) => typeof value !== 'string' || value === '')
  ) {
    add(
      `${at}.example.body_text`,
      `must be [[…]] with one non-empty example for each of the ${numbers.length} parameters`,
    );
  }
}

function buttonProblems(buttons: unknown, at: string, add: Add) {
  if (!Array.isArray(buttons) || buttons.length === 0) {
    add(at, 'must be a non-empty array');
    return;
  }
  if (buttons.length > LIMITS.buttons) add(at, `must have at most ${LIMITS.buttons} buttons`);
  for (const [index, button] of buttons.entries()) {
    const path = `${at}.${index}`;
    if (!isJsonObject(button)) {
      add(path, 'must be a JSON object');
      continue;
    }
    if (button.type === 'QUICK_REPLY') {
      add(
        `${path}.type`,
        `quick-reply buttons are not supported in Messenger utility templates (Facebook: 100/${QUICK_REPLY_SUBCODE})`,
        QUICK_REPLY_SUBCODE,
      );
      continue;
    }
    if (!BUTTON_TYPES.includes(String(button.type)))
      add(`${path}.type`, 'must be URL, POSTBACK or PHONE_NUMBER');
    if (typeof button.text !== 'string' || button.text === '')
      add(`${path}.text`, 'must be non-empty');
    else if (button.text.length > LIMITS.buttonText)
      add(`${path}.text`, `must be at most ${LIMITS.buttonText} characters`);
    if (button.type === 'URL' && !isHttpsUrl(button.url))
      add(`${path}.url`, 'must be an https URL');
    if (
      button.type === 'PHONE_NUMBER' &&
      !(typeof button.phone_number === 'string' && /^\+[1-9]\d{6,14}$/.test(button.phone_number))
    )
      add(`${path}.phone_number`, 'must be an international number such as +15551234567');
  }
}

function isHttpsUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    return new URL(value).protocol === 'https:';
  } catch {
    return false;
  }
}

/** A status as someone saw it at a time (Facebook's answer, a webhook, a re-sync). */
export interface StatusObservation {
  status: string;
  reason?: string;
  at: Date;
}

/** The newest observation wins, so an event that arrives late never overwrites a newer status. */
export function currentStatus<T extends StatusObservation>(
  observations: readonly T[],
): T | undefined {
  return observations.reduce<T | undefined>(
    (newest, seen) => (!newest || seen.at.getTime() > newest.at.getTime() ? seen : newest),
    undefined,
  );
}
