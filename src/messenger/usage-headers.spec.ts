import { slowdownFor, usagePercent } from './usage-headers';

const flat = (callCount: number, cpu = 0, time = 0) =>
  JSON.stringify({ call_count: callCount, total_cputime: cpu, total_time: time });
const buc = (...records: Record<string, unknown>[]) =>
  JSON.stringify({ '104857600000001': records.map((r) => ({ type: 'messenger', ...r })) });

describe('usagePercent', () => {
  it.each<[string, Record<string, unknown>, number | undefined]>([
    ['no usage header', { 'content-type': 'application/json' }, undefined],
    ['X-Page-Usage call_count', { 'x-page-usage': flat(85, 10, 12) }, 85],
    ['X-App-Usage total_time', { 'x-app-usage': flat(5, 10, 42) }, 42],
    ['header names in any case', { 'X-PAGE-USAGE': flat(61) }, 61],
    ['the highest of several headers', { 'x-page-usage': flat(30), 'X-App-Usage': flat(70) }, 70],
    [
      'X-Business-Use-Case-Usage, every record of every id',
      {
        'x-business-use-case-usage': JSON.stringify({
          '1': [{ type: 'messenger', call_count: 12, total_cputime: 3, total_time: 3 }],
          '2': [
            { type: 'pages', call_count: 4, total_cputime: 91, total_time: 3 },
            { type: 'messenger', call_count: 7 },
          ],
        }),
      },
      91,
    ],
    [
      'estimated_time_to_regain_access is minutes, not a share',
      {
        'x-business-use-case-usage': buc({
          call_count: 20,
          total_cputime: 1,
          total_time: 1,
          estimated_time_to_regain_access: 500,
        }),
      },
      20,
    ],
    [
      'bad JSON ignored, the good header read',
      { 'x-page-usage': '{oops', 'x-app-usage': flat(9) },
      9,
    ],
    ['bad JSON alone', { 'x-page-usage': 'not json' }, undefined],
    ['a non-object JSON value', { 'x-page-usage': '85' }, undefined],
    [
      'a BUC header of the wrong shape',
      { 'x-business-use-case-usage': '{"1":{"call_count":99}}' },
      undefined,
    ],
    [
      'strings and negatives are not percentages',
      { 'x-page-usage': '{"call_count":"99","total_time":-5}' },
      undefined,
    ],
    ['a repeated header, as an array', { 'x-app-usage': [flat(10), flat(55)] }, 55],
    ['zero usage', { 'x-page-usage': flat(0) }, 0],
  ])('%s', (_, headers, expected) => {
    expect(usagePercent(headers)).toBe(expected);
  });
});

describe('slowdownFor', () => {
  it.each<[number | undefined, boolean, { factor: number; forMs: number } | undefined]>([
    [undefined, false, undefined],
    [50, false, undefined],
    [80, false, undefined],
    [85, false, { factor: 0.775, forMs: 30_000 }],
    [90, false, { factor: 0.55, forMs: 30_000 }],
    [100, false, { factor: 0.1, forMs: 30_000 }],
    [140, false, { factor: 0.1, forMs: 30_000 }],
    [undefined, true, { factor: 0.5, forMs: 60_000 }],
    [50, true, { factor: 0.5, forMs: 60_000 }],
    [100, true, { factor: 0.1, forMs: 60_000 }],
  ])('usage %p, throttled %p → %p', (usage, throttled, expected) => {
    const slowdown = slowdownFor({ usage, throttled });
    if (expected === undefined) return expect(slowdown).toBeUndefined();
    expect(slowdown?.forMs).toBe(expected.forMs);
    expect(slowdown?.factor).toBeCloseTo(expected.factor, 10);
  });

  it('falls steadily as usage rises above 80 %', () => {
    const factors = [81, 85, 90, 95, 99].map(
      (usage) => slowdownFor({ usage, throttled: false })!.factor,
    );
    expect([...factors].sort((a, b) => b - a)).toEqual(factors);
    expect(new Set(factors).size).toBe(factors.length);
  });
});
