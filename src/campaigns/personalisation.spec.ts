import { composeMessage } from './message-composer';
import { renderMessage, templateProblems, type PersonalisationScope } from './personalisation';

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

  it('does not reach prototype properties', () => {
    const probe = composeMessage({
      kind: 'text',
      text: 'x{{ user.attributes.constructor }}{{ user.toString }}',
    });
    expect(renderMessage(probe, scope())).toEqual({ ok: true, message: { text: 'x' } });
  });

  it('caps rendering work', () => {
    const heavy = composeMessage({
      kind: 'text',
      text: '{% for i in (1..100000000) %}{{ i }}{% endfor %}',
    });
    expect(renderMessage(heavy, scope())).toMatchObject({ ok: false });
  });
});
