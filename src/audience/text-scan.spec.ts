import { completeLength, firstInvalidUtf8, TextScanner } from './text-scan';

const scan = (...chunks: Buffer[]) => {
  const scanner = new TextScanner();
  for (const chunk of chunks) {
    const problem = scanner.push(chunk);
    if (problem) return problem;
  }
  return scanner.end();
};

describe('firstInvalidUtf8', () => {
  it.each([
    ['ASCII', Buffer.from('psid,city\n1,Lyon\n'), -1],
    ['accents and emoji', Buffer.from('Café, 東京, 🎉'), -1],
    ['a Latin-1 byte', Buffer.from('Caf\xe9!', 'latin1'), 3],
    ['a lone continuation byte', Buffer.from([0x41, 0x80]), 1],
    ['an overlong slash', Buffer.from([0xc0, 0xaf]), 0],
    ['an overlong three-byte form', Buffer.from([0xe0, 0x80, 0xaf]), 0],
    ['a UTF-16 surrogate', Buffer.from([0xed, 0xa0, 0x80]), 0],
    ['past U+10FFFF', Buffer.from([0xf4, 0x90, 0x80, 0x80]), 0],
    ['a cut-off character', Buffer.from([0x41, 0xe2, 0x82]), 1],
  ])('%s', (_name, bytes, expected) => expect(firstInvalidUtf8(bytes)).toBe(expected));
});

describe('completeLength', () => {
  it('keeps back only the start of a character the next chunk ends', () => {
    const euro = Buffer.from('a€'); // 61 e2 82 ac
    expect(completeLength(euro)).toBe(4);
    expect(completeLength(euro.subarray(0, 3))).toBe(1);
    expect(completeLength(euro.subarray(0, 2))).toBe(1);
    expect(completeLength(Buffer.from('abc'))).toBe(3);
  });
});

describe('TextScanner', () => {
  it('accepts valid text split anywhere, even inside a character', () => {
    const text = Buffer.from('psid,city\n1,Besançon\n2,東京\n');
    for (let cut = 0; cut <= text.length; cut += 1)
      expect(scan(text.subarray(0, cut), text.subarray(cut))).toBeUndefined();
  });

  it('names the line of a bad byte far into the file, across chunks', () => {
    const head = Buffer.from(`psid,city\n${'1,Lyon\n'.repeat(20_000)}`);
    expect(scan(head, Buffer.from('2,Caf\xe9\n', 'latin1'))).toEqual({
      line: 20_002,
      offset: head.length + 5,
      kind: 'utf8',
    });
    expect(scan(head, Buffer.from('2,a\0b\n'))).toMatchObject({ line: 20_002, kind: 'nul' });
  });

  it('refuses a file that ends inside a character', () => {
    expect(scan(Buffer.from('psid\n1\n'), Buffer.from([0xe2, 0x82]))).toMatchObject({
      line: 3,
      kind: 'utf8',
    });
  });
});
