/**
 * Liquid personalisation (SPEC §2). Templates are rendered on each string value of
 * the compiled Send API message, never on serialized JSON, so no attribute value
 * can change the payload's structure; the result is checked against the Send API
 * limits again, because a long attribute can push a text over them.
 *
 * Templates are hostile input (SPEC §10): no tag reads a file, no prototype is
 * reachable, and the whole message for one user renders within one time budget
 * and one size cap, so a render never holds the event loop longer than the budget.
 */
import { performance } from 'node:perf_hooks';
import {
  CaptureTag,
  Context,
  ForTag,
  Liquid,
  TablerowTag,
  Tag,
  toValue,
  toValueSync,
  type Emitter,
  type FilterImplOptions,
  type FS,
  type Template,
} from 'liquidjs';
import type { ErrorDetail } from '../common/api-error';
import type { SendApiMessage } from '../messenger/payloads';
import { facebookWording, messageLimitProblem } from '../messenger/send-api-limits';
import { HAS_LIQUID } from './message-composer';

/** Milliseconds to render a whole message for one user. */
export const RENDER_BUDGET_MS = 50;
/** Characters a whole message's templates may produce or allocate for one user. */
export const RENDER_MAX_CHARACTERS = 64 * 1024;
/**
 * Characters of Liquid in one message. Parsing costs up to about 5 ms per KiB and
 * runs in one piece, so a whole message's templates must parse within the budget.
 */
export const TEMPLATES_MAX_CHARACTERS = 8 * 1024;

export interface RenderLimits {
  budgetMs: number;
  maxCharacters: number;
}

/** A limit of the message's budget was reached; its reason is typed, never read from prose. */
class RenderLimitExceeded extends Error {
  constructor(
    readonly reason: 'render_timeout' | 'rendered_too_long',
    message: string,
  ) {
    super(message);
  }
}

/** Thrown while parsing a tag that reads files, so the template is refused at save and never renders. */
class FileTagRefused extends Error {
  constructor(tag: string) {
    super(`the ${tag} tag is not allowed (templates cannot read files)`);
  }
}

const FILE_TAGS = ['include', 'render', 'layout'];

function refusedTag(name: string) {
  return class extends Tag {
    constructor(...args: ConstructorParameters<typeof Tag>) {
      super(...args);
      throw new FileTagRefused(name);
    }
    render(): void {} // never called: the constructor throws
  };
}

/** Every lookup fails, so nothing reaches the disk even if a file-reading tag slipped through. */
const refuse = (file: string): never => {
  throw new Error(`templates cannot read files (${file})`);
};
const NO_FILES: FS = {
  exists: async (file) => refuse(file),
  existsSync: refuse,
  readFile: async (file) => refuse(file),
  readFileSync: refuse,
  resolve: (_dir, file) => refuse(file),
  contains: () => false,
};

/**
 * The time budget of one message. liquidjs checks it before rendering each node;
 * loops also check it at the head of every iteration (deadlineCheck), since an
 * empty body has no node to check before.
 */
class Deadline {
  private readonly at: number;

  constructor(private readonly budgetMs: number) {
    this.at = performance.now() + budgetMs;
  }

  check(now: number): void {
    if (now > this.at)
      throw new RenderLimitExceeded(
        'render_timeout',
        `rendering took longer than ${this.budgetMs} ms`,
      );
  }
}

/**
 * The size cap of one message: every character a template writes (captures
 * included) and every allocation liquidjs counts (ranges, string and array filters).
 */
class CharacterAllowance {
  private used = 0;

  constructor(private readonly max: number) {}

  use(count: number): void {
    // liquidjs counts a reversed range as negative: it allocates nothing, and must not earn credit.
    if (!(count > 0)) return;
    this.used += count;
    if (this.used > this.max)
      throw new RenderLimitExceeded(
        'rendered_too_long',
        `rendering produces more than ${this.max} characters`,
      );
  }
}

type Limiter = Context['memoryLimit'];

/** A value as liquidjs writes it (its `stringify`, which it does not export). */
function text(value: unknown): string {
  const plain: unknown = toValue(value);
  if (typeof plain === 'string') return plain;
  if (plain === null || plain === undefined) return '';
  if (Array.isArray(plain)) return plain.map(text).join('');
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- liquidjs writes any other value as String() does
  return String(plain);
}

/** An upper bound of the characters of `value` written or joined, computed without building it. */
function sizeOf(value: unknown): number {
  const plain: unknown = toValue(value);
  if (typeof plain === 'string') return plain.length;
  if (plain === null || plain === undefined) return 0;
  if (Array.isArray(plain)) return plain.reduce<number>((size, item) => size + sizeOf(item) + 1, 0);
  return text(plain).length;
}

/** An output that counts what it is given against the allowance before appending it. */
class BoundedOutput implements Emitter {
  buffer = '';

  constructor(private readonly allowance: Pick<Limiter, 'use'>) {}

  write(value: unknown): void {
    this.allowance.use(sizeOf(value));
    this.buffer += text(value);
  }
}

/**
 * A node at the head of every loop body, checking the deadline each iteration. A
 * cap on ranges would not do: a small range looped over in nested loops, or any
 * collection, iterates without allocating.
 */
const deadlineCheck = (token: Template['token']): Template => ({
  token,
  render: (context: Context) => context.renderLimit.check(performance.now()),
});

class CheckedFor extends ForTag {
  constructor(...args: ConstructorParameters<typeof ForTag>) {
    super(...args);
    this.templates.unshift(deadlineCheck(this.token));
  }
}

class CheckedTablerow extends TablerowTag {
  constructor(...args: ConstructorParameters<typeof TablerowTag>) {
    super(...args);
    this.templates.unshift(deadlineCheck(this.token));
  }
}

/** liquidjs captures into an unbounded buffer; this one counts against the message's allowance. */
class BoundedCapture extends CaptureTag {
  override *render(context: Context): Generator<unknown, void, string> {
    const output = new BoundedOutput(context.memoryLimit);
    yield this.liquid.renderer.renderTemplates(this.templates, context, output);
    (context.bottom() as Record<string, unknown>)[this.variable] = output.buffer;
  }
}

/**
 * The worst-case output of filters whose result can outgrow their input many
 * times over (liquidjs counts only their input), counted before they run.
 */
const FILTER_GROWTH: Record<string, (value: unknown, ...args: unknown[]) => number> = {
  replace: (value, pattern, replacement) => {
    const size = text(value).length;
    const patternSize = text(pattern).length;
    const matches = patternSize === 0 ? size + 1 : Math.floor(size / patternSize);
    return size + matches * String(replacement).length;
  },
  join: (value, separator) => {
    const plain: unknown = toValue(value);
    const items = Array.isArray(plain) ? plain : [plain];
    return sizeOf(items) + items.length * (separator == null ? 1 : text(separator).length);
  },
  // `%99999999Y` pads one character at a time.
  date: (_value, format) =>
    [...text(format).matchAll(/%[-_0^#:]*(\d+)/g)].reduce(
      (widths, [, width]) => widths + Number(width),
      0,
    ),
};

type FilterHandler = Extract<FilterImplOptions, (...args: never[]) => unknown>;

function bounded(filter: FilterImplOptions, growth: (typeof FILTER_GROWTH)[string]): FilterHandler {
  const handler = typeof filter === 'function' ? filter : filter.handler;
  return function (this: ThisParameterType<FilterHandler>, value: unknown, ...args: unknown[]) {
    this.context.memoryLimit.use(growth(value, ...args));
    return handler.call(this, value, ...args) as unknown;
  };
}

/**
 * liquidjs runs these with regexes that backtrack quadratically on hostile input
 * (`\s+$` after a run of spaces, `<.*?>` over unclosed `<`): the same results in one pass.
 */
const LINEAR_FILTERS: Record<string, FilterHandler> = {
  rstrip(value, chars) {
    const input = counted(this.context, value);
    return chars ? trimEnd(input, characters(chars)) : input.trimEnd();
  },
  strip(value, chars) {
    const input = counted(this.context, value);
    if (!chars) return input.trim();
    const set = characters(chars);
    return trimEnd(trimStart(input, set), set);
  },
  strip_html(value) {
    return stripHtml(counted(this.context, value));
  },
};

function counted(context: Context, value: unknown): string {
  const input = text(value);
  context.memoryLimit.use(input.length);
  return input;
}

/** Code units, as a regex character class without the `u` flag matches them. */
const characters = (chars: unknown) => new Set(text(chars).split(''));

function trimStart(input: string, chars: Set<string>): string {
  let start = 0;
  while (start < input.length && chars.has(input[start])) start += 1;
  return input.slice(start);
}

function trimEnd(input: string, chars: Set<string>): string {
  let end = input.length;
  while (end > 0 && chars.has(input[end - 1])) end -= 1;
  return input.slice(0, end);
}

const LINE_BREAK = /[\n\r\u2028\u2029]/g;

/**
 * The first index at or after `from` of each needle. Memoised, because during one
 * scan `from` only grows for a given needle: each needle is searched through once.
 */
function forwardSearch(input: string): (needle: string | RegExp, from: number) => number {
  const found = new Map<string | RegExp, number>();
  return (needle, from) => {
    const known = found.get(needle);
    if (known !== undefined && (known === -1 || known >= from)) return known;
    let at: number;
    if (typeof needle === 'string') at = input.indexOf(needle, from);
    else {
      needle.lastIndex = from;
      at = needle.exec(input)?.index ?? -1;
    }
    found.set(needle, at);
    return at;
  };
}

/** What liquidjs's strip_html removes: `<script…</script>`, `<style…</style>`, `<…>` within a line, `<!--…-->`. */
function stripHtml(input: string): string {
  const search = forwardSearch(input);
  let output = '';
  let kept = 0;
  for (let open = input.indexOf('<'); open !== -1; ) {
    const end = markupEnd(input, open, search);
    if (end === -1) {
      open = input.indexOf('<', open + 1);
      continue;
    }
    output += input.slice(kept, open);
    kept = end;
    open = input.indexOf('<', end);
  }
  return output + input.slice(kept);
}

/** Where the markup opening at `open` ends, trying the alternatives in liquidjs's order; -1 when none closes. */
function markupEnd(input: string, open: number, search: ReturnType<typeof forwardSearch>): number {
  const closed = (start: string, close: string) => {
    if (!input.startsWith(start, open)) return -1;
    const at = search(close, open + start.length);
    return at === -1 ? -1 : at + close.length;
  };
  const script = closed('<script', '</script>');
  if (script !== -1) return script;
  const style = closed('<style', '</style>');
  if (style !== -1) return style;
  const tagEnd = search('>', open + 1);
  const lineBreak = search(LINE_BREAK, open + 1);
  if (tagEnd !== -1 && (lineBreak === -1 || lineBreak > tagEnd)) return tagEnd + 1;
  return closed('<!--', '-->');
}

const engine = new Liquid({
  strictFilters: true, // an unknown filter is an error when the campaign is saved
  ownPropertyOnly: true, // templates cannot reach prototype properties of data
  parseLimit: TEMPLATES_MAX_CHARACTERS, // for templates stored before the cap per message
  fs: NO_FILES,
  relativeReference: false, // no file paths to resolve
});
for (const tag of FILE_TAGS) engine.registerTag(tag, refusedTag(tag));
engine.registerTag('for', CheckedFor);
engine.registerTag('tablerow', CheckedTablerow);
engine.registerTag('capture', BoundedCapture);
for (const [name, growth] of Object.entries(FILTER_GROWTH))
  engine.registerFilter(name, bounded(engine.filters[name], growth));
for (const [name, filter] of Object.entries(LINEAR_FILTERS)) engine.registerFilter(name, filter);
// Without a prototype, `{{ x | constructor }}` and `{% constructor %}` name nothing.
Object.setPrototypeOf(engine.filters, null);
Object.setPrototypeOf(engine.tags, null);

/** Keys every object inherits: never data, and the way to prototypes and constructors. */
const INHERITED_KEYS = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype']);
const isInherited = (key: unknown): boolean => {
  const name: unknown = toValue(key);
  return typeof name === 'string' && INHERITED_KEYS.has(name);
};

/**
 * The context of one string of a message: its own variables, the message's shared
 * deadline and allowance, and no inherited keys, even on liquidjs's own drops
 * (`forloop`), which ownPropertyOnly does not cover.
 */
class MessageContext extends Context {
  constructor(scope: object, deadline: Deadline, allowance: CharacterAllowance) {
    // liquidjs types its limiters as a class with private fields; it calls only `check` and `use`.
    super(
      scope,
      engine.options,
      { sync: true },
      { renderLimit: deadline as unknown as Limiter, memoryLimit: allowance as unknown as Limiter },
    );
  }

  override *_getFromScope(
    ...[scope, paths, strictVariables]: Parameters<Context['_getFromScope']>
  ): IterableIterator<unknown> {
    const keys = typeof paths === 'string' ? paths.split('.') : paths;
    if (keys.some(isInherited)) return undefined;
    return (yield* super._getFromScope(scope, keys, strictVariables)) as unknown;
  }
}

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

/** What a tag, filter or limit threw, under the ParseError or RenderError liquidjs wraps it in. */
function rootCause(error: unknown): unknown {
  let cause = error;
  while (cause instanceof Error && (cause as { originalError?: unknown }).originalError)
    cause = (cause as { originalError?: unknown }).originalError;
  return cause;
}

const firstLine = (error: unknown): string =>
  error instanceof Error ? error.message.split('\n')[0] : String(error);

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

/**
 * Parses every template of the message; a syntax error, an unknown filter or a
 * file-reading tag is a problem at its path. Templates over the size cap are not
 * parsed at all.
 */
export function templateProblems(message: SendApiMessage, field = 'message'): ErrorDetail[] {
  const templates = [...strings(message, '')].filter(([, source]) => HAS_LIQUID.test(source));
  const size = templates.reduce((total, [, source]) => total + source.length, 0);
  if (size > TEMPLATES_MAX_CHARACTERS)
    return [
      {
        field,
        reason: `its templates must total at most ${TEMPLATES_MAX_CHARACTERS} characters (they have ${size})`,
      },
    ];
  const problems: ErrorDetail[] = [];
  for (const [path, source] of templates) {
    try {
      parse(source);
    } catch (error) {
      const cause = rootCause(error);
      problems.push({
        field: `${field}.${path}`,
        reason: `Liquid: ${cause instanceof FileTagRefused ? cause.message : firstLine(error)}`,
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

export type RenderFailure =
  | 'render_timeout'
  | 'rendered_too_long'
  | 'rendered_invalid'
  | 'render_failed';

export type Rendered =
  | { ok: true; message: SendApiMessage }
  | { ok: false; reason: RenderFailure; detail: string };

/**
 * The message for one user, within one time budget and one size cap for all its
 * strings; a failure concerns that user only.
 */
export function renderMessage(
  message: SendApiMessage,
  scope: PersonalisationScope,
  {
    budgetMs = RENDER_BUDGET_MS,
    maxCharacters = RENDER_MAX_CHARACTERS,
  }: Partial<RenderLimits> = {},
): Rendered {
  const deadline = new Deadline(budgetMs);
  const allowance = new CharacterAllowance(maxCharacters);
  let rendered: unknown;
  try {
    rendered = renderValue(message, (source) =>
      renderString(source, new MessageContext(scope, deadline, allowance)),
    );
  } catch (error) {
    const cause = rootCause(error);
    return cause instanceof RenderLimitExceeded
      ? { ok: false, reason: cause.reason, detail: cause.message }
      : { ok: false, reason: 'render_failed', detail: firstLine(error) };
  }
  const problem = messageLimitProblem(rendered);
  if (!problem) return { ok: true, message: rendered as SendApiMessage };
  return {
    ok: false,
    reason: problem.kind === 'invalid' ? 'rendered_invalid' : 'rendered_too_long',
    detail: facebookWording(problem),
  };
}

function renderString(source: string, context: MessageContext): string {
  const output = new BoundedOutput(context.memoryLimit);
  return toValueSync(engine.renderer.renderTemplates(parse(source), context, output)) as string;
}

function renderValue(value: unknown, render: (source: string) => string): unknown {
  if (typeof value === 'string') return HAS_LIQUID.test(value) ? render(value) : value;
  if (Array.isArray(value)) return value.map((item) => renderValue(item, render));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, renderValue(item, render)]),
    );
  }
  return value;
}
