/**
 * Liquid personalisation (SPEC §2). Templates are rendered on each string value of
 * the compiled Send API message, never on serialized JSON, so no attribute value
 * can change the payload's structure; the result is checked against the Send API
 * limits again, because a long attribute can push a text over them.
 */
import { Liquid, type Template } from 'liquidjs';
import type { ErrorDetail } from '../common/api-error';
import type { SendApiMessage } from '../messenger/payloads';
import { messageLimitProblem } from '../messenger/send-api-limits';
import { HAS_LIQUID } from './message-composer';

const engine = new Liquid({
  strictFilters: true, // an unknown filter is an error when the campaign is saved
  ownPropertyOnly: true, // templates cannot reach prototype properties
  parseLimit: 20_000, // characters of one template
  renderLimit: 100, // milliseconds to render one string
  memoryLimit: 1_000_000, // string and array allocation while rendering
});

const MAX_RENDERED_STRING = 20_000;
const parsed = new Map<string, Template[]>();

function parse(source: string): Template[] {
  let templates = parsed.get(source);
  if (!templates) {
    templates = engine.parse(source);
    if (parsed.size >= 1000) parsed.clear();
    parsed.set(source, templates);
  }
  return templates;
}

/** Every string of the message, with its path (`attachment.payload.buttons[0].title`). */
function* strings(value: unknown, path: string): Generator<[string, string]> {
  if (typeof value === 'string') yield [path, value];
  else if (Array.isArray(value))
    for (const [index, item] of value.entries()) yield* strings(item, `${path}[${index}]`);
  else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value))
      yield* strings(item, path ? `${path}.${key}` : key);
  }
}

/** Parses every template of the message; a syntax error or unknown filter is a problem at its path. */
export function templateProblems(message: SendApiMessage, field = 'message'): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  for (const [path, source] of strings(message, '')) {
    if (!HAS_LIQUID.test(source)) continue;
    try {
      parse(source);
    } catch (error) {
      problems.push({
        field: `${field}.${path}`,
        reason: `Liquid: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
      });
    }
  }
  return problems;
}

export interface PersonalisationScope {
  user: {
    psid: string;
    firstName?: string;
    lastName?: string;
    locale?: string;
    timezone?: string;
    attributes: Record<string, unknown>;
  };
  campaign: { name: string };
}

export type Rendered =
  | { ok: true; message: SendApiMessage }
  | {
      ok: false;
      reason: 'rendered_too_long' | 'rendered_invalid' | 'render_failed';
      detail: string;
    };

/** The message for one user; a failure concerns that user only. */
export function renderMessage(message: SendApiMessage, scope: PersonalisationScope): Rendered {
  let rendered: SendApiMessage;
  try {
    rendered = renderValue(message, scope) as SendApiMessage;
  } catch (error) {
    const detail = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return {
      ok: false,
      reason: /too long/.test(detail) ? 'rendered_too_long' : 'render_failed',
      detail,
    };
  }
  const problem = messageLimitProblem(rendered);
  if (!problem) return { ok: true, message: rendered };
  return {
    ok: false,
    reason: /less than or equal|at most/.test(problem) ? 'rendered_too_long' : 'rendered_invalid',
    detail: problem,
  };
}

function renderValue(value: unknown, scope: PersonalisationScope): unknown {
  if (typeof value === 'string') {
    if (!HAS_LIQUID.test(value)) return value;
    const output = engine.renderSync(parse(value), scope) as string;
    if (output.length > MAX_RENDERED_STRING)
      throw new Error(`a rendered string is too long (${output.length} characters)`);
    return output;
  }
  if (Array.isArray(value)) return value.map((item) => renderValue(item, scope));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, renderValue(item, scope)]),
    );
  }
  return value;
}
