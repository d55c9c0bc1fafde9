import { WindowCap } from './window-cap';

describe('WindowCap', () => {
  it('lets `limit` starts through in any second and holds the next until the oldest is a second old', async () => {
    let now = 0;
    const cap = new WindowCap(3, undefined, () => now);
    const started: number[] = [];
    for (let index = 0; index < 3; index += 1) {
      await cap.pass();
      started.push(now);
      now += 100;
    }
    jest.useFakeTimers();
    try {
      const fourth = cap.pass().then(() => started.push(now));
      now = 1014;
      await jest.advanceTimersByTimeAsync(800);
      now = 1015.5;
      await jest.advanceTimersByTimeAsync(10);
      await fourth;
    } finally {
      jest.useRealTimers();
    }
    // The first start leaves the window a second and a 15 ms margin later.
    expect(started).toEqual([0, 100, 200, 1015.5]);
  });

  it('follows its margin: a wider one holds the next start longer', async () => {
    let now = 0;
    let margin = 15;
    const cap = new WindowCap(
      1,
      () => margin,
      () => now,
    );
    await cap.pass();
    margin = 60;
    jest.useFakeTimers();
    try {
      let passed = false;
      const second = cap.pass().then(() => (passed = true));
      now = 1020;
      await jest.advanceTimersByTimeAsync(1020);
      expect(passed).toBe(false);
      now = 1060.5;
      await jest.advanceTimersByTimeAsync(50);
      await second;
      expect(passed).toBe(true);
    } finally {
      jest.useRealTimers();
    }
  });

  it('still counts, when its margin widens, starts an earlier narrow window had let go', async () => {
    let now = 0;
    let margin = 15;
    const cap = new WindowCap(
      1,
      () => margin,
      () => now,
    );
    await cap.pass();
    now = 1020;
    // A check under the narrow margin, which used to forget the start at 0 for good.
    await WindowCap.passAll([
      new WindowCap(
        1,
        () => margin,
        () => now,
      ),
      cap,
    ]);
    margin = 100;
    jest.useFakeTimers();
    try {
      let passed = false;
      const third = cap.pass().then(() => (passed = true));
      now = 1100;
      await jest.advanceTimersByTimeAsync(80);
      expect(passed).toBe(false);
      now = 2120.5;
      await jest.advanceTimersByTimeAsync(1100);
      await third;
    } finally {
      jest.useRealTimers();
    }
  });

  it('passes several caps at one instant, when every one of them has room', async () => {
    let now = 0;
    const page = new WindowCap(2, undefined, () => now);
    const campaign = new WindowCap(1, undefined, () => now);
    await WindowCap.passAll([page, campaign]);
    now = 10;
    jest.useFakeTimers();
    try {
      let passed = false;
      const second = WindowCap.passAll([page, campaign]).then(() => (passed = true));
      await jest.advanceTimersByTimeAsync(500);
      // The Page has room; the campaign does not, so neither counts it yet.
      expect(passed).toBe(false);
      now = 1015.5;
      await jest.advanceTimersByTimeAsync(600);
      await second;
    } finally {
      jest.useRealTimers();
    }
    // The Page counted the second start at 1015.5, when it was let through, not at 10 when
    // the Page alone had room: at 1030 its window holds that start and one more.
    now = 1020;
    await page.pass();
    now = 1030;
    jest.useFakeTimers();
    try {
      let fourth = false;
      const last = page.pass().then(() => (fourth = true));
      await jest.advanceTimersByTimeAsync(20);
      expect(fourth).toBe(false);
      now = 2031;
      await jest.advanceTimersByTimeAsync(1100);
      await last;
    } finally {
      jest.useRealTimers();
    }
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
