import type { SQSRecord } from 'aws-lambda';
import { PROCESSOR_MAX_CONCURRENCY } from '../../infra/resources.js';
import type { CallCounts } from '../support/dynamodb-calls.js';
import { timedWithCpu } from '../support/timing.js';
import type { PassResult, Planned } from './pass.js';

/** Records a batch at most, and batches in flight at once, as the processor's event source mapping hands them out. */
export const BATCH_SIZE = 10;
export const IN_FLIGHT = PROCESSOR_MAX_CONCURRENCY;

/**
 * Hands the pass's messages out as an SQS FIFO queue hands them to the event source: a batch takes, from
 * the oldest message on, up to ten messages whose number has no message in flight and none waiting
 * ahead of them; `IN_FLIGHT` batches are processed at once. A failed record fails the pass.
 */
export async function drain(queue: readonly Planned[], work: (records: SQSRecord[]) => Promise<number>): Promise<void> {
  const taken = new Array<boolean>(queue.length).fill(false);
  const inFlight = new Set<string>();
  let head = 0;
  let left = queue.length;
  let wake: () => void = () => undefined;
  const take = (): Planned[] => {
    const batch: Planned[] = [];
    const blocked = new Set<string>();
    while (head < queue.length && taken[head]) head++;
    for (let index = head; index < queue.length && batch.length < BATCH_SIZE; index++) {
      if (taken[index]) continue;
      const planned = queue[index]!;
      if (inFlight.has(planned.group) || blocked.has(planned.group)) {
        blocked.add(planned.group);
        continue;
      }
      taken[index] = true;
      batch.push(planned);
    }
    for (const planned of batch) inFlight.add(planned.group);
    left -= batch.length;
    return batch;
  };
  const worker = async () => {
    while (left > 0) {
      const batch = take();
      if (batch.length === 0) {
        await new Promise<void>((resolve) => {
          const previous = wake;
          wake = () => {
            previous();
            resolve();
          };
        });
        continue;
      }
      const failed = await work(batch.map((planned) => planned.record));
      if (failed > 0) throw new Error(`${failed} records of a batch failed`);
      for (const planned of batch) inFlight.delete(planned.group);
      const waiting = wake;
      wake = () => undefined;
      waiting();
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
}

/** A pass through `work`, timed: its wall-clock time, this process's CPU time, and the DynamoDB calls counted meanwhile. */
export async function timedPass(queue: readonly Planned[], calls: CallCounts, work: (records: SQSRecord[]) => Promise<number>): Promise<PassResult> {
  calls.clear();
  const { ms, cpuMs } = await timedWithCpu(() => drain(queue, work));
  return { ms, cpuMs, calls: [...calls] };
}
