import { processByMessageGroup } from '../../../functions/processor/by-message-group.js';
import { sqsRecord } from '../../support/sqs-records.js';

const record = (id: string, group: string) => sqsRecord(id, { messageId: id, groupId: group });

describe('processByMessageGroup', () => {
  it('reports a failed record and the later records of its group only; other groups go on', async () => {
    const seen: string[] = [];
    const records = [record('a1', 'A'), record('b1', 'B'), record('a2', 'A'), record('b2', 'B'), record('a3', 'A')];

    const response = await processByMessageGroup(records, async ({ body }) => {
      seen.push(body);
      if (body === 'a2') throw new Error('fails');
    });

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'a2' }, { itemIdentifier: 'a3' }] });
    expect(seen).not.toContain('a3');
    expect(seen.filter((id) => id.startsWith('b'))).toEqual(['b1', 'b2']);
  });

  it('keeps each group in order while the groups run side by side', async () => {
    const log: string[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const records = [record('a1', 'A'), record('a2', 'A'), record('b1', 'B')];

    const processing = processByMessageGroup(records, async ({ body }) => {
      log.push(`start ${body}`);
      if (body === 'a1') await gate;
      log.push(`end ${body}`);
    });
    // b1 finishes while a1 waits; a2 does not start before a1 ends.
    await new Promise((resolve) => setImmediate(resolve));
    expect(log).toEqual(['start a1', 'start b1', 'end b1']);
    release();
    await processing;

    expect(log).toEqual(['start a1', 'start b1', 'end b1', 'end a1', 'start a2', 'end a2']);
  });
});
