import { WindowCap } from './window-cap';

/** A clock the caps read, moved by hand. */
const clock = { now: 0 };
const capOf = (limit: number, margin?: () => number) =>
  new WindowCap(limit, margin, () => clock.now);

/**
 * Starts `pass` now and asserts it still waits once the clock reads `notBy`, and has
 * passed once it reads `by` (fake timers fire its sleeps).
 */
async function expectHeld(pass: () => Promise<void>, notBy: number, by: number): Promise<void> {
  const from = clock.now;
  jest.useFakeTimers();
  try {
    let passed = false;
    const waiting = pass().then(() => (passed = true));
    clock.now = notBy;
    await jest.advanceTimersByTimeAsync(notBy - from);
    expect(passed).toBe(false);
    clock.now = by;
    await jest.advanceTimersByTimeAsync(by - from + 100);
    await waiting;
  } finally {
    jest.useRealTimers();
  }
}

describe('WindowCap', () => {
  beforeEach(() => (clock.now = 0));

  it('lets `limit` starts through in any second and holds the next until the oldest is a second old', async () => {
    const cap = capOf(3);
    for (let index = 0; index < 3; index += 1) {
      await cap.pass();
      clock.now += 100;
    }
    // The first start leaves the window a second and a 15 ms margin later.
    await expectHeld(() => cap.pass(), 1014, 1015.5);
  });

  it('follows its margin: a wider one holds the next start longer', async () => {
    let margin = 15;
    const cap = capOf(1, () => margin);
    await cap.pass();
    margin = 60;
    await expectHeld(() => cap.pass(), 1020, 1060.5);
  });

  it('still counts, when its margin widens, a start its narrow window had let go', async () => {
    let margin = 15;
    const cap = capOf(2, () => margin);
    await cap.pass();
    clock.now = 1020;
    // Checked under the narrow margin, which used to forget the start at 0 for good.
    await cap.pass();
    margin = 100;
    clock.now = 1050;
    // In a window of 1.1 s the start at 0 is still there: the third waits for it to leave.
    await expectHeld(() => cap.pass(), 1060, 1100.5);
  });

  it('passes several caps at one instant, when every one of them has room', async () => {
    const page = capOf(2);
    const campaign = capOf(1);
    await WindowCap.passAll([page, campaign]);
    clock.now = 10;
    // The Page has room; the campaign does not, so neither counts it until 1015.
    await expectHeld(() => WindowCap.passAll([page, campaign]), 500, 1015.5);
    // The Page counted that start at 1015.5, not at 10 when it alone had room: at 1030 its
    // window holds it and one more.
    clock.now = 1020;
    await page.pass();
    clock.now = 1030;
    await expectHeld(() => page.pass(), 1040, 2031);
  });

  it('never lets more than `limit` through in a sliding second under concurrent callers', async () => {
    const cap = new WindowCap(20);
    const times: number[] = [];
    await Promise.all(
      Array.from({ length: 50 }, () => cap.pass().then(() => times.push(performance.now()))),
    );
    times.sort((a, b) => a - b);
    for (let start = 0; start < times.length; start += 1) {
      const inWindow = times.filter((t) => t >= times[start] && t < times[start] + 1000).length;
      expect(inWindow).toBeLessThanOrEqual(20);
    }
  }, 10_000);
});
