import { Liquid } from 'liquidjs';
import { composeMessage } from './message-composer';
import {
  renderMessage,
  RENDER_MAX_CHARACTERS,
  templateProblems,
  TEMPLATES_MAX_CHARACTERS,
  type PersonalisationScope,
} from './personalisation';

const scope = (
  attributes: Record<string, unknown> = {},
  firstName?: string,
): PersonalisationScope => ({
  user: { psid: '123', firstName, attributes },
  campaign: { name: 'Restock' },
});

describe('templateProblems', () => {
  it('accepts known filters and variables', () => {
    expect(
      templateProblems(
        composeMessage({
          kind: 'text',
          text: 'Hi {{ user.firstName | default: "there" }}, {{ campaign.name | upcase }}',
        }),
      ),
    ).toEqual([]);
  });

  it.each([
    ['include', "{% include '/proc/self/environ' %}"],
    ['render', "{% render 'snippet' %}"],
    ['layout', "{% layout 'default' %}Hi"],
    ['include', "{% liquid\n  include '/dev/zero'\n%}"],
    ['render', "{% liquid\nif true\nrender 'x'\nendif\n%}"],
    ['include', "{% assign f = '/proc/self/' | append: 'environ' %}{% include f %}"],
    ['render', '{% render user.attributes.file %}'],
    ['include', '{% if true %}{% for i in (1..2) %}{%- include i -%}{% endfor %}{% endif %}'],
  ])('refuses the %s tag wherever it stands: %s', (tag, text) => {
    expect(templateProblems({ text })).toEqual([
      {
        field: 'message.text',
        reason: `Liquid: the ${tag} tag is not allowed (templates cannot read files)`,
      },
    ]);
  });

  it.each([
    ['{{ "x" | constructor }}', 'undefined filter: constructor'],
    ['{{ "x" | __proto__ }}', 'undefined filter: __proto__'],
    ['{{ "x" | toString }}', 'undefined filter: toString'],
    ['{% constructor %}', 'tag "constructor" not found'],
    ['{% hasOwnProperty %}', 'tag "hasOwnProperty" not found'],
  ])('names nothing inherited as a filter or tag: %s', (text, reason) => {
    expect(templateProblems({ text })).toEqual([
      { field: 'message.text', reason: expect.stringContaining(reason) },
    ]);
  });

  it('caps the Liquid of a whole message, so it parses within the render budget', () => {
    const template = `{{ user.firstName }}${'x'.repeat(1000)}`;
    const strings = (count: number) => ({
      text: template,
      metadata: Array.from({ length: count - 1 }, () => template),
    });
    expect(templateProblems(strings(8))).toEqual([]);
    expect(templateProblems(strings(9))).toEqual([
      {
        field: 'message',
        reason: `its templates must total at most ${TEMPLATES_MAX_CHARACTERS} characters (they have 9180)`,
      },
    ]);
  });

  it('names the field of a syntax error or an unknown filter', () => {
    const message = composeMessage({
      kind: 'buttons',
      text: 'Hi {{ user.firstName ',
      buttons: [{ title: '{{ x | shout }}', value: 'P' }],
    });
    expect(templateProblems(message)).toEqual([
      { field: 'message.attachment.payload.text', reason: expect.stringContaining('not closed') },
      {
        field: 'message.attachment.payload.buttons[0].title',
        reason: expect.stringContaining('undefined filter: shout'),
      },
    ]);
  });
});

describe('renderMessage', () => {
  const message = composeMessage({
    kind: 'text',
    text: 'Hi {{ user.firstName | default: "there" }}, the {{ user.attributes.city }} store is open ({{ campaign.name }})',
    quickReplies: [{ title: 'Shop', payload: 'SHOP {{ user.attributes.city }}' }],
  });

  it('renders each string for the user', () => {
    expect(renderMessage(message, scope({ city: 'Lyon' }, 'Ana'))).toEqual({
      ok: true,
      message: {
        text: 'Hi Ana, the Lyon store is open (Restock)',
        quick_replies: [{ content_type: 'text', title: 'Shop', payload: 'SHOP Lyon' }],
      },
    });
    expect(renderMessage(message, scope({ city: 'Nice' }))).toMatchObject({
      ok: true,
      message: { text: 'Hi there, the Nice store is open (Restock)' },
    });
  });

  it.each([
    ['quotes and braces', '"}], "x": {"y'],
    ['Liquid in a value', '{{ campaign.name }}{% raw %}'],
    ['newlines', 'Lyon\n\r\n"\\'],
    ['a JSON-looking value', '{"text": "hacked"}'],
  ])('cannot change the payload structure with %s', (_name, city) => {
    const rendered = renderMessage(message, scope({ city }, 'Ana'));
    expect(rendered.ok).toBe(true);
    if (!rendered.ok) return;
    expect(Object.keys(rendered.message)).toEqual(['text', 'quick_replies']);
    expect(rendered.message.text).toBe(`Hi Ana, the ${city} store is open (Restock)`);
    expect(rendered.message.quick_replies).toEqual([
      { content_type: 'text', title: 'Shop', payload: `SHOP ${city}` },
    ]);
  });

  it('fails only this user when a value makes the text too long', () => {
    expect(renderMessage(message, scope({ city: 'x'.repeat(10_000) }))).toEqual({
      ok: false,
      reason: 'rendered_too_long',
      detail: expect.stringContaining('2000'),
    });
    expect(renderMessage(message, scope({ city: 'Lyon' })).ok).toBe(true);
  });

  it('fails a rendered quick-reply title over 20 characters', () => {
    const shop = composeMessage({
      kind: 'text',
      text: 'Hi',
      quickReplies: ['Shop {{ user.attributes.city }}'],
    });
    expect(renderMessage(shop, scope({ city: 'Lyon' }))).toMatchObject({
      ok: true,
      message: { quick_replies: [{ title: 'Shop Lyon', payload: 'Shop Lyon' }] },
    });
    expect(renderMessage(shop, scope({ city: 'Saint-Rémy-de-Provence' }))).toMatchObject({
      ok: false,
      reason: 'rendered_too_long',
    });
  });

  it('does not reach prototype properties of data', () => {
    const probe = composeMessage({
      kind: 'text',
      text:
        'x{{ user.attributes.constructor }}{{ user.toString }}{{ user.constructor }}' +
        '{{ user.attributes.__proto__ }}{{ user["__proto__"] }}{{ user.attributes.city.constructor }}' +
        '{% assign k = "constructor" %}{{ user[k] }}{{ campaign | map: "constructor" }}',
    });
    expect(renderMessage(probe, scope({ city: 'Lyon' }))).toEqual({
      ok: true,
      message: { text: 'x' },
    });
  });

  it.each([
    '{% for i in (1..1) %}{{ forloop.constructor }}{{ forloop.__proto__ }}{{ forloop.valueOf }}{% endfor %}',
    '{% tablerow i in (1..1) %}{{ tablerowloop.__proto__.constructor }}{% endtablerow %}',
    '{{ empty.constructor }}{{ blank.__proto__ }}',
  ])('reaches no prototype through liquidjs drops: %s', (template) => {
    const rendered = renderMessage({ text: `x${template}` }, scope());
    expect(rendered).toMatchObject({ ok: true });
    // tablerow writes its own cells
    if (rendered.ok) expect(rendered.message.text).toMatch(/^x(<[^>]*>)*$/);
  });

  it('caps rendering work', () => {
    const heavy = composeMessage({
      kind: 'text',
      text: '{% for i in (1..100000000) %}{{ i }}{% endfor %}',
    });
    expect(renderMessage(heavy, scope())).toMatchObject({ ok: false });
  });

  it.each([
    [
      'invalid',
      { title: '{{ user.attributes.none }}', subtitle: 'Tent' },
      'rendered_invalid',
      'must be non-empty',
    ],
    [
      'too long',
      { title: '{{ user.attributes.city }}', subtitle: 'Tent' },
      'rendered_too_long',
      '80',
    ],
  ])('tells an %s rendered message by a typed reason', (_name, element, reason, detail) => {
    const generic = composeMessage({ kind: 'generic', elements: [element] });
    expect(renderMessage(generic, scope({ city: 'x'.repeat(81) }))).toEqual({
      ok: false,
      reason,
      detail: expect.stringContaining(detail),
    });
  });

  it('fails a template stored before the file tags were refused, without reading the file', () => {
    expect(renderMessage({ text: "{% include '/proc/self/environ' %}" }, scope())).toEqual({
      ok: false,
      reason: 'render_failed',
      detail: expect.stringContaining('the include tag is not allowed'),
    });
  });
});

describe('renderMessage: one time budget and one size cap for the whole message', () => {
  const strings = (count: number, template: string) => ({
    text: 'Hi',
    metadata: Array.from({ length: count }, () => template),
  });
  const emptyLoops = '{% for j in (1..999999) %}{% endfor %}';
  const nestedLoops =
    '{% assign r = (1..100) %}{% for a in r %}{% for b in r %}{% for c in r %}{% endfor %}{% endfor %}{% endfor %}';
  const captureBomb =
    '{% capture c0 %}xxxxxxxxxx{% endcapture %}' +
    Array.from(
      { length: 8 },
      (_, level) => `{% capture c${level + 1} %}${`{{ c${level} }}`.repeat(10)}{% endcapture %}`,
    ).join('') +
    '{{ c8 | size }}';

  it.each([
    ['40 strings of empty loops', strings(40, emptyLoops), 'rendered_too_long'],
    ['a million empty iterations of a small range', strings(1, nestedLoops), 'render_timeout'],
    [
      'loops that fit one string, forty times',
      strings(
        40,
        '{% assign r = (1..100) %}{% for a in r %}{% for b in r %}{% endfor %}{% endfor %}',
      ),
      'render_timeout',
    ],
    ['a nested capture bomb', strings(1, captureBomb), 'rendered_too_long'],
    [
      'a doubling assign',
      strings(
        1,
        '{% assign s = "xxxxxxxxxx" %}{% for i in (1..40) %}{% assign s = s | append: s %}{% endfor %}{{ s | size }}',
      ),
      'rendered_too_long',
    ],
    [
      'a squaring replace',
      strings(
        1,
        `{% assign s = "${'x'.repeat(60)}" %}{% for i in (1..4) %}{% assign s = s | replace: "x", s %}{% endfor %}{{ s | size }}`,
      ),
      'rendered_too_long',
    ],
    [
      'a join of a long separator',
      strings(1, `{{ "${'a,'.repeat(60)}" | split: "," | join: "${'y'.repeat(1100)}" | size }}`),
      'rendered_too_long',
    ],
    ['a padded date', strings(1, '{{ "now" | date: "%99999999Y" }}'), 'rendered_too_long'],
    [
      'a reversed range counted as credit',
      strings(1, '{% for i in (1000000..1) %}{% endfor %}{% for i in (1..70000) %}{% endfor %}'),
      'rendered_too_long',
    ],
  ])('stops %s early', (_name, message, reason) => {
    expect(renderMessage(message, scope())).toEqual({
      ok: false,
      reason,
      detail: expect.stringMatching(/50 ms|65536 characters/),
    });
  });

  it('checks the deadline in every table cell, whatever the size cap', () => {
    const cells = strings(1, '{% tablerow c in (1..1000000) %}{% endtablerow %}');
    expect(renderMessage(cells, scope(), { maxCharacters: 1e9 })).toMatchObject({
      ok: false,
      reason: 'render_timeout',
    });
  });

  it('refuses such loops for their time only: one alone renders', () => {
    const once = strings(
      1,
      '{% assign r = (1..100) %}{% for a in r %}{% for b in r %}{% endfor %}{% endfor %}',
    );
    // A roomy budget: the claim is that no count of iterations is refused, not a speed (a busy CI machine is slow).
    expect(renderMessage(once, scope(), { budgetMs: 5_000 })).toMatchObject({ ok: true });
  });

  it('caps the characters of all strings together, and takes its limits as a parameter', () => {
    const sixty = '{{ user.attributes.city }}';
    const city = 'y'.repeat(60);
    expect(renderMessage(strings(1, sixty), scope({ city }), { maxCharacters: 100 }).ok).toBe(true);
    expect(renderMessage(strings(2, sixty), scope({ city }), { maxCharacters: 100 })).toEqual({
      ok: false,
      reason: 'rendered_too_long',
      detail: 'rendering produces more than 100 characters',
    });
    expect(renderMessage(strings(1, sixty), scope({ city }), { budgetMs: -1 })).toMatchObject({
      ok: false,
      reason: 'render_timeout',
    });
    expect(RENDER_MAX_CHARACTERS).toBe(65_536);
  });

  it.each([
    ['strip_html', '<'.repeat(60_000), '60000'],
    ['strip_html', '<script'.repeat(8_000), '56000'],
    ['rstrip', `${' '.repeat(60_000)}x`, '60001'],
    ['rstrip: " "', `${' '.repeat(60_000)}x`, '60001'],
    ['strip: " "', `x${' '.repeat(60_000)}x`, '60002'],
  ])('runs %s within the budget on hostile input', (filter, value, size) => {
    // The node after the filter checks the deadline: a quadratic filter would have passed it.
    expect(
      renderMessage({ text: `{{ user.attributes.value | ${filter} | size }}.` }, scope({ value })),
    ).toEqual({ ok: true, message: { text: `${size}.` } });
  });

  const liquid = new Liquid();
  it.each([
    ['strip_html', 'a<b>c</b>d'],
    ['strip_html', '<script>x</script>y<style>z</style>w'],
    ['strip_html', '<script>no end<b>bold</b>'],
    ['strip_html', 'a<!-- c\nd -->e<!-->f'],
    ['strip_html', 'a < b\n> c <d\r>e<f\u2028>g<h>'],
    ['strip_html', '<<<a>>>'],
    ['strip_html', 'x<style>y<script>z</script>'],
    ['rstrip', ' a \n\t '],
    ['rstrip: "-x"', 'x-a-x--x'],
    ['strip', '\u00a0 a \u2028'],
    ['strip: "ab"', 'abcab'],
    ['strip: "-"', '-'],
  ])('gives %s the results liquidjs gives: %j', (filter, value) => {
    const template = `[{{ user.attributes.value | ${filter} }}]`;
    const expected = liquid.parseAndRenderSync(template, scope({ value }));
    expect(renderMessage({ text: template }, scope({ value }))).toEqual({
      ok: true,
      message: { text: expected },
    });
  });
});
