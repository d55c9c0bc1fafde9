import { UpdateCampaignDto } from '../campaigns/campaign.dto';
import type { ApiError } from './api-error';
import { createValidationPipe, findPrototypeKey } from './validation';

describe('findPrototypeKey', () => {
  it('finds prototype keys at any depth and names their path', () => {
    expect(findPrototypeKey(JSON.parse('{"a": {"__proto__": {"x": 1}}}'))).toBe('a.__proto__');
    expect(findPrototypeKey({ items: [{ ok: 1 }, { constructor: 1 }] })).toBe(
      'items[1].constructor',
    );
    expect(findPrototypeKey({ rules: { all: [{ prototype: {} }] } })).toBe(
      'rules.all[0].prototype',
    );
  });

  it('passes ordinary bodies and values that merely say the words', () => {
    expect(
      findPrototypeKey({ name: '__proto__', list: ['constructor'], nested: { a: null } }),
    ).toBeUndefined();
    expect(findPrototypeKey('text')).toBeUndefined();
  });
});

describe('the validation pipe', () => {
  const problemsFor = async (body: unknown) => {
    try {
      await createValidationPipe().transform(body, { type: 'body', metatype: UpdateCampaignDto });
      return [];
    } catch (error) {
      return (error as ApiError).getResponse() as { details: unknown[] };
    }
  };

  it('names the kind of value expected before any range, whatever the decorator order', async () => {
    expect(await problemsFor({ ratePerSecond: '40', name: '', extra: 1 })).toMatchObject({
      details: [
        { field: 'extra', reason: 'is not an allowed field' },
        { field: 'name', reason: 'must be longer than or equal to 1 characters' },
        { field: 'ratePerSecond', reason: 'must be an integer number' },
      ],
    });
    expect(await problemsFor({ ratePerSecond: 400 })).toMatchObject({
      details: [{ field: 'ratePerSecond', reason: 'must not be greater than 300' }],
    });
  });
});
