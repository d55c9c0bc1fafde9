import { facebookJson } from '../sandbox/webhook-events';
import { hubSignature, isValidHubSignature, legacyHubSignature } from './hub-signature';

const SECRET = '0123456789abcdef0123456789abcdef';

describe('facebookJson', () => {
  it.each([
    [{ text: 'plain' }, '{"text":"plain"}'],
    [{ text: 'Crème brûlée' }, '{"text":"Cr\\u00e8me br\\u00fbl\\u00e9e"}'],
    [{ url: 'https://example.com/a/b' }, '{"url":"https:\\/\\/example.com\\/a\\/b"}'],
    [{ text: '日本' }, '{"text":"\\u65e5\\u672c"}'],
    [{ text: '😀' }, '{"text":"\\ud83d\\ude00"}'],
    [{ text: 'quote " and \\ stay' }, '{"text":"quote \\" and \\\\ stay"}'],
    [{ n: 1795440000000, list: [true, null] }, '{"n":1795440000000,"list":[true,null]}'],
  ])('%j is sent as %s', (payload, expected) => {
    expect(facebookJson(payload)).toBe(expected);
    expect(JSON.parse(facebookJson(payload))).toEqual(payload);
  });
});

describe('isValidHubSignature', () => {
  const body = Buffer.from(facebookJson({ text: 'Crème https://example.com/' }));
  const good = hubSignature(body, SECRET);

  it.each([
    ['the signature of these bytes', good, true],
    ['in upper-case hex', `sha256=${good.slice(7).toUpperCase()}`, true],
    ['missing', undefined, false],
    ['empty', '', false],
    ['without the prefix', good.slice(7), false],
    ['the legacy sha1 header', legacyHubSignature(body, SECRET), false],
    ['another secret', hubSignature(body, 'f'.repeat(32)), false],
    [
      'the re-serialised body',
      hubSignature(JSON.stringify(JSON.parse(body.toString())), SECRET),
      false,
    ],
    ['truncated', good.slice(0, -2), false],
    ['one digit changed', `${good.slice(0, -1)}${good.endsWith('0') ? '1' : '0'}`, false],
  ])('%s: %s', (_case, header, valid) => {
    expect(isValidHubSignature(body, header, SECRET)).toBe(valid);
  });
});
