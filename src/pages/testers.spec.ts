import { testerProblems } from './testers';

describe('testerProblems', () => {
  it.each([[[]], [['1']], [Array.from({ length: 10 }, (_, i) => String(100 + i))]])(
    'accepts %j',
    (psids) => expect(testerProblems(psids)).toEqual([]),
  );

  it.each([
    [['0123'], [{ field: 'psids[0]', reason: 'must be digits without a leading zero' }]],
    [['1', '12a'], [{ field: 'psids[1]', reason: 'must be digits' }]],
    [['1', ''], [{ field: 'psids[1]', reason: 'is missing' }]],
    [[123], [{ field: 'psids[0]', reason: 'must be a string of digits' }]],
    [[null], [{ field: 'psids[0]', reason: 'must be a string of digits' }]],
    [
      ['5', '6', '5', '5'],
      [
        { field: 'psids[2]', reason: 'repeats psids[0]' },
        { field: 'psids[3]', reason: 'repeats psids[0]' },
      ],
    ],
    [
      Array.from({ length: 11 }, (_, i) => String(100 + i)),
      [{ field: 'psids', reason: 'must hold at most 10 testers' }],
    ],
  ])('refuses %j', (psids, problems) => expect(testerProblems(psids)).toEqual(problems));
});
