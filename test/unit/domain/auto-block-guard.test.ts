import { bucketSecondsOf, guardIsOn, guardWindowAt, roomIn, GUARD_BUCKETS } from '../../../shared/domain/auto-block-guard.js';

const settings = { limit: 5, windowSeconds: 600 };
const at = (seconds: number) => seconds * 1000;

describe('the auto-block guard window', () => {
  it('cuts the window in ten buckets of a tenth of it, at least a second each', () => {
    expect(bucketSecondsOf({ limit: 1, windowSeconds: 600 })).toBe(60);
    expect(bucketSecondsOf({ limit: 1, windowSeconds: 15 })).toBe(2);
    expect(bucketSecondsOf({ limit: 1, windowSeconds: 5 })).toBe(1);
  });

  it('puts a moment in the bucket that starts at or before it, and the window in the nine before', () => {
    const window = guardWindowAt(at(60 * 100), settings);

    expect(window.current).toBe(100);
    expect(window.earlier).toEqual([99, 98, 97, 96, 95, 94, 93, 92, 91]);
    expect(guardWindowAt(at(60 * 100 + 59.999), settings).current).toBe(100);
    expect(guardWindowAt(at(60 * 101), settings).current).toBe(101);
    expect(window.earlier).toHaveLength(GUARD_BUCKETS - 1);
  });

  it('counts every bucket of the window, and none older', () => {
    const window = guardWindowAt(at(60 * 100), settings);

    expect(roomIn(window, new Map([[100, 1], [91, 2]]), settings)).toBe(2);
    expect(roomIn(window, new Map([[90, 5]]), settings)).toBe(5);
  });

  it('frees the room of a full bucket once the window has moved past it, and not a moment before', () => {
    const counts = new Map([[91, 5]]);

    expect(roomIn(guardWindowAt(at(60 * 101 - 1), settings), counts, settings)).toBe(0);
    expect(roomIn(guardWindowAt(at(60 * 101), settings), counts, settings)).toBe(5);
  });

  it('has no room left when the window holds the limit or more', () => {
    const window = guardWindowAt(at(60 * 100), settings);

    expect(roomIn(window, new Map([[100, 5]]), settings)).toBe(0);
    expect(roomIn(window, new Map([[100, 3], [95, 4]]), settings)).toBe(0);
  });

  it('is off with a limit of 0', () => {
    expect(guardIsOn({ limit: 0, windowSeconds: 600 })).toBe(false);
    expect(guardIsOn({ limit: 1, windowSeconds: 600 })).toBe(true);
  });
});
