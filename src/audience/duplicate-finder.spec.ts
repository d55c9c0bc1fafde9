import { DuplicateFinder } from './duplicate-finder';

describe('DuplicateFinder', () => {
  it('keeps only the last line of a repeated PSID', () => {
    const finder = new DuplicateFinder(16);
    [
      ['1', 2],
      ['2', 3],
      ['1', 4],
      ['3', 5],
      ['1', 6],
    ].forEach(([psid, line]) => finder.add(psid as string, line as number));
    expect([2, 4, 6].map((line) => finder.isSuperseded('1', line))).toEqual([true, true, false]);
    expect(finder.isSuperseded('2', 3)).toBe(false);
    expect(finder.isSuperseded('3', 5)).toBe(false);
  });

  it('never supersedes a PSID that occurs once, even when the filter is crowded', () => {
    const finder = new DuplicateFinder(10, 2);
    const psids = Array.from({ length: 5000 }, (_, index) => String(6543210000000000 + index));
    psids.forEach((psid, index) => finder.add(psid, index + 2));
    expect(psids.filter((psid, index) => finder.isSuperseded(psid, index + 2))).toEqual([]);
  });
});
