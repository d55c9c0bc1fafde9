import {
  bodyParameterCount,
  currentStatus,
  QUICK_REPLY_SUBCODE,
  templateDefinitionProblems,
} from './template-rules';

const body = (text: string, examples?: string[]) => ({
  type: 'BODY',
  text,
  ...(examples ? { example: { body_text: [examples] } } : {}),
});
const template = (components: unknown[], fields: object = {}) => ({
  name: 'order_update',
  language: 'en_US',
  category: 'UTILITY',
  components,
  ...fields,
});

describe('templateDefinitionProblems', () => {
  it.each<[string, unknown, object[]]>([
    ['a body without parameters', template([body('Your order shipped.')]), []],
    [
      'a header, a body with examples, a footer and three buttons',
      template([
        { type: 'HEADER', format: 'TEXT', text: 'Order update' },
        body('Hi {{1}}, order {{2}} shipped.', ['Ana', 'A-1']),
        { type: 'FOOTER', text: 'Acme' },
        {
          type: 'BUTTONS',
          buttons: [
            { type: 'URL', text: 'Track', url: 'https://acme.example/t' },
            { type: 'POSTBACK', text: 'Help', payload: 'HELP' },
            { type: 'PHONE_NUMBER', text: 'Call', phone_number: '+15551234567' },
          ],
        },
      ]),
      [],
    ],
    [
      'a name, language and category Facebook refuses',
      template([body('x')], { name: 'Order-Update', language: 'English', category: 'MARKETING' }),
      [{ field: 'name' }, { field: 'language' }, { field: 'category' }],
    ],
    ['no body', template([{ type: 'FOOTER', text: 'x' }]), [{ field: 'components' }]],
    ['no components', template([]), [{ field: 'components' }]],
    [
      'parameters with a gap',
      template([body('{{1}} and {{3}}', ['a', 'b'])]),
      [{ field: 'components.0.text' }],
    ],
    [
      'a parameter without its example',
      template([body('Hi {{1}}, order {{2}}', ['Ana'])]),
      [{ field: 'components.0.example.body_text' }],
    ],
    [
      'parameters without any example',
      template([body('Hi {{1}}')]),
      [{ field: 'components.0.example.body_text' }],
    ],
    [
      'a header with a parameter',
      template([{ type: 'HEADER', text: 'Hi {{1}}' }, body('x')]),
      [{ field: 'components.0.text' }],
    ],
    ['a body too long', template([body('x'.repeat(1025))]), [{ field: 'components.0.text' }]],
    [
      'a quick-reply button, refused as Facebook does',
      template([body('x'), { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Yes' }] }]),
      [{ field: 'components.1.buttons.0.type', subcode: QUICK_REPLY_SUBCODE }],
    ],
    [
      'four buttons',
      template([
        body('x'),
        {
          type: 'BUTTONS',
          buttons: Array.from({ length: 4 }, () => ({ type: 'POSTBACK', text: 'A' })),
        },
      ]),
      [{ field: 'components.1.buttons' }],
    ],
    [
      'a URL button over http and a bad phone number',
      template([
        body('x'),
        {
          type: 'BUTTONS',
          buttons: [
            { type: 'URL', text: 'Track', url: 'http://acme.example' },
            { type: 'PHONE_NUMBER', text: 'Call', phone_number: '555-1234' },
          ],
        },
      ]),
      [{ field: 'components.1.buttons.0.url' }, { field: 'components.1.buttons.1.phone_number' }],
    ],
    [
      'an unknown component and a repeated body',
      template([body('x'), body('y'), { type: 'CAROUSEL' }]),
      [{ field: 'components.1.type' }, { field: 'components.2.type' }],
    ],
  ])('%s', (_name, input, expected) => {
    expect(templateDefinitionProblems(input)).toEqual(
      expected.map((problem) => expect.objectContaining(problem)),
    );
  });
});

describe('bodyParameterCount', () => {
  it.each<[string, Record<string, unknown>[], number]>([
    ['no body', [], 0],
    ['no parameters', [body('Hello')], 0],
    ['two parameters, one repeated', [body('{{1}} {{2}} {{1}}')], 2],
    ['the header does not count', [{ type: 'HEADER', text: '{{1}}' }, body('{{1}}')], 1],
  ])('%s', (_name, components, count) => {
    expect(bodyParameterCount(components)).toBe(count);
  });
});

describe('currentStatus', () => {
  const at = (iso: string) => new Date(`2026-11-29T${iso}Z`);
  it('is the newest observation, whatever the order they arrive in', () => {
    const approved = { status: 'APPROVED', at: at('10:00:03') };
    expect(
      currentStatus([
        { status: 'PENDING', at: at('10:00:00') },
        approved,
        { status: 'REJECTED', reason: 'INVALID_FORMAT', at: at('10:00:01') },
      ]),
    ).toBe(approved);
    expect(currentStatus([])).toBeUndefined();
  });
});
