import { ENV } from '../../shared/config.js';
import { lambdaContext } from '../../infra/local/lambda-context.js';
import type { PairingEvent } from '../../shared/domain/consent-event.js';
import { countsIn, metricLinesOf, outputLinesOf } from '../support/metric-lines.js';
import { uniquePhone } from '../support/consent-api.js';
import { provisionIsolatedResources } from '../support/isolated-resources.js';
import { batch, sqsRecord } from '../support/sqs-records.js';
import { e164, sampleAutomaticEvent } from '../unit/support/samples.js';

/*
 * A signal that waited for its user id to be paired with a number is applied when the pairing arrives:
 * its outcome is counted as any event's, and a block the guard holds is announced (an ERROR line and the
 * metric the stack's alarm watches), as it is for a failure that named its number.
 */
const resources = await provisionIsolatedResources();
process.env[ENV.autoBlockGuardLimit] = '1';
const settings = { metrics: process.env['POWERTOOLS_METRICS_DISABLED'], logs: process.env['POWERTOOLS_LOG_LEVEL'] };
process.env['POWERTOOLS_METRICS_DISABLED'] = 'false';
process.env['POWERTOOLS_LOG_LEVEL'] = 'ERROR';
const { handler: processor } = await import('../../functions/processor/handler.js');
const { DynamoUserDirectory } = await import('../../shared/adapters/user-directory.js');

afterAll(() => {
  for (const [name, value] of [['POWERTOOLS_METRICS_DISABLED', settings.metrics], ['POWERTOOLS_LOG_LEVEL', settings.logs]] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

const directory = new DynamoUserDirectory(resources.consentTableName);
const sender = { type: 'provider', provider: 'whatsapp', phoneNumberId: `sender-${Date.now()}` } as const;
const process_ = (body: unknown) => processor(batch(sqsRecord(JSON.stringify(body))), lambdaContext('processor'));

describe('signals applied through a user-id pairing', () => {
  it('are counted, and a held block among them is announced', async () => {
    // prepare: the sender's one automatic block of the window is used, and a failure waits for user US.1
    const first = e164(uniquePhone());
    await process_(sampleAutomaticEvent({ eventId: `wa-first-${sender.phoneNumberId}`, phone: first, recipientId: first.slice(1), actor: sender }));
    const { phone: _p, alternatives: _a, recipientId: _r, ...numberless } = sampleAutomaticEvent({ eventId: `wa-waiting-${sender.phoneNumberId}`, actor: sender });
    const userId = `US.${Date.now()}`;
    expect(await directory.keepUnresolved({ userId, receivedAt: new Date().toISOString(), event: numberless })).toBeUndefined();
    const paired = e164(uniquePhone());
    const pairing: PairingEvent = { version: 1, eventId: `pairing-${userId}`, source: 'pairing', userId, phone: paired, alternatives: [], recipientId: paired.slice(1), seenAt: new Date().toISOString() };

    // act
    const lines = await outputLinesOf(() => process_(pairing));

    // assess
    const metrics = countsIn(lines.filter((line) => '_aws' in line) as never);
    expect(metrics).toMatchObject({ AutoBlocksHeld: 1 });
    expect(lines).toEqual(expect.arrayContaining([expect.objectContaining({ level: 'ERROR', message: expect.stringContaining('held by the auto-block guard'), phone: paired })]));
    expect(await directory.unresolvedOf(userId)).toEqual([]);
  });

  it('count an applied automatic block as a failure that named its number is counted', async () => {
    // prepare: a second sender, whose window has room
    const other = { ...sender, phoneNumberId: `${sender.phoneNumberId}-2` };
    const { phone: _p, alternatives: _a, recipientId: _r, ...numberless } = sampleAutomaticEvent({ eventId: `wa-waiting-${other.phoneNumberId}`, actor: other });
    const userId = `US.${Date.now()}2`;
    await directory.keepUnresolved({ userId, receivedAt: new Date().toISOString(), event: numberless });
    const paired = e164(uniquePhone());

    // act
    const lines = await metricLinesOf(() =>
      process_({ version: 1, eventId: `pairing-${userId}`, source: 'pairing', userId, phone: paired, alternatives: [], recipientId: paired.slice(1), seenAt: new Date().toISOString() }),
    );

    // assess
    expect(countsIn(lines)).toMatchObject({ EventsApplied: 1, AutomaticBlocks: 1 });
  });
});
