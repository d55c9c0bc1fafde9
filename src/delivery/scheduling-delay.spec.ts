import { MAX_MARGIN_MS, MIN_MARGIN_MS, windowMargin } from './scheduling-delay';

describe('windowMargin', () => {
  it.each([
    ['nothing measured yet', [], MIN_MARGIN_MS],
    ['a quiet process', [0.4, 1.2, 3], MIN_MARGIN_MS],
    ['twice the worst lateness, rounded up', [2, 20.2, 1], 41],
    ['one late second among quiet ones', [2, 41.3, 1], 83],
    ['a process starved for longer than any margin should be', [900], MAX_MARGIN_MS],
  ])('%s', (_name, lateness, margin) => {
    expect(windowMargin(lateness)).toBe(margin);
  });
});
