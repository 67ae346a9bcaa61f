import { backoff, pollUntil } from '../../../web/src/model/poll.js';

/** Waiting for a request to settle: growing pauses, retries of failed asks, and a stop for fatal ones. */

const noSleep = async () => {};

describe('backoff', () => {
  it('grows by half each time and stays at its ceiling', () => {
    const delays = backoff({ firstMs: 400, factor: 1.5, maxMs: 2_000 });
    expect(Array.from({ length: 7 }, () => delays.next().value)).toEqual([400, 600, 900, 1350, 2000, 2000, 2000]);
  });
});

describe('pollUntil', () => {
  it('asks until the answer is settled, pausing by the schedule between asks', async () => {
    // prepare
    const answers = ['pending', 'pending', 'applied'];
    const pauses: number[] = [];

    // act
    const settled = await pollUntil(async () => answers.shift()!, (status) => status !== 'pending', {
      signal: new AbortController().signal,
      delays: [10, 20, 30],
      sleep: async (ms) => void pauses.push(ms),
    });

    // assess
    expect(settled).toBe('applied');
    expect(pauses).toEqual([10, 20]);
  });

  it('retries an ask that failed, and gives up at once on a fatal error', async () => {
    // prepare
    let asks = 0;
    const flaky = async () => {
      asks++;
      if (asks === 1) throw new Error('network');
      if (asks === 2) return 'pending';
      throw new Error('signed out');
    };

    // act, assess
    await expect(
      pollUntil(flaky, (status) => status !== 'pending', {
        signal: new AbortController().signal,
        isFatal: (error) => (error as Error).message === 'signed out',
        sleep: noSleep,
      }),
    ).rejects.toThrow('signed out');
    expect(asks).toBe(3);
  });

  it('stops when the signal aborts (the element left the page)', async () => {
    // prepare
    const controller = new AbortController();
    let asks = 0;

    // act
    const polling = pollUntil(async () => (++asks === 2 ? (controller.abort(new Error('left')), 'pending') : 'pending'), () => false, {
      signal: controller.signal,
      sleep: noSleep,
    });

    // assess
    await expect(polling).rejects.toThrow('left');
    expect(asks).toBe(2);
  });
});
