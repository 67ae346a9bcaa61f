import { timed, timedWithCpu } from '../support/timing.js';

/** A side of the comparison: the handler, or the floor. */
export interface Side {
  /** `count` requests by `concurrency` callers. */
  round(concurrency: number, count: number): Promise<Round>;
}

export interface Round {
  /** Each request's, in milliseconds. */
  latencies: number[];
  /** The CPU time of the side's own process over the round (building the requests included). */
  cpuMs: number;
}

/** One side's requests: `prepare` builds the i-th (outside the timing) and returns its sending. */
export interface Requests {
  prepare(index: number): () => Promise<void>;
  calls: number;
}

/** `count` requests by `concurrency` callers, each sending its next one when the last is answered. */
export async function closedLoopRound(side: Requests, concurrency: number, count: number): Promise<Round> {
  const latencies: number[] = [];
  let started = 0;
  const caller = async () => {
    while (started < count) {
      started += 1;
      const send = side.prepare(side.calls);
      latencies.push((await timed(send)).ms);
    }
  };
  const { cpuMs } = await timedWithCpu(() => Promise.all(Array.from({ length: concurrency }, caller)));
  return { latencies, cpuMs };
}
