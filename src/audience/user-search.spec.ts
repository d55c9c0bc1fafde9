import { accentInsensitive, userSearchFilter } from './user-search';

describe('userSearchFilter', () => {
  it('finds PSIDs by their first digits through a key range', () => {
    expect(userSearchFilter(' 2417 ')).toEqual({ psid: { $gte: '2417', $lt: '2417;' } });
  });

  it('matches every word in the first or the last name, ignoring case and accents', () => {
    const filter = userSearchFilter('Lea  dupont');
    expect(filter).toEqual({
      $and: [
        {
          $or: [
            { firstName: { $regex: 'l[eèéêëē][aàáâãäåā]', $options: 'i' } },
            { lastName: { $regex: 'l[eèéêëē][aàáâãäåā]', $options: 'i' } },
          ],
        },
        expect.anything(),
      ],
    });
  });

  it('is nothing for blank text', () => {
    expect(userSearchFilter('   ')).toBeUndefined();
  });
});

describe('accentInsensitive', () => {
  const matches = (word: string, name: string) =>
    new RegExp(accentInsensitive(word), 'i').test(name);

  it.each([
    ['lea', 'Léa'],
    ['Léa', 'LEA'],
    ['francois', 'François'],
    ['zoe', 'Zoë'],
  ])('%s finds %s', (word, name) => expect(matches(word, name)).toBe(true));

  it('takes regular-expression characters literally', () => {
    expect(matches('a.b', 'axb')).toBe(false);
    expect(matches('(.*)', 'anything')).toBe(false);
    expect(matches('o(k', 'o(k')).toBe(true);
  });
});
