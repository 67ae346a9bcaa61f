import type { FinalizeRequestMiddleware } from '@smithy/types';
import type { E164 } from '../../shared/domain/phone.js';
import { provisionIsolatedResources } from '../support/isolated-resources.js';
import { uniquePhone } from '../support/consent-api.js';
import { e164, sampleAutomaticEvent } from '../unit/support/samples.js';
import { auditEntriesOf } from '../support/tables.js';

const resources = await provisionIsolatedResources();
const { dynamoDbClient } = await import('../../shared/adapters/dynamodb-client.js');
const { DynamoConsentStateStore } = await import('../../shared/adapters/consent-state-store.js');
const { DynamoEventLedger } = await import('../../shared/adapters/event-ledger.js');
const { DynamoGuardCounter } = await import('../../shared/adapters/guard-counter.js');
const { DynamoHeldBlockStore } = await import('../../shared/adapters/held-block-store.js');
const { DynamoProfileStore } = await import('../../shared/adapters/profile-store.js');
const { DynamoUserDirectory } = await import('../../shared/adapters/user-directory.js');
const { systemClock } = await import('../../shared/adapters/runtime.js');
const { applyConsentEvent } = await import('../../shared/domain/apply-consent-event.js');

const { consentTableName, auditTableName } = resources;
const deps = {
  states: new DynamoConsentStateStore(consentTableName),
  ledger: new DynamoEventLedger(consentTableName, auditTableName),
  profiles: new DynamoProfileStore(consentTableName),
  held: new DynamoHeldBlockStore(consentTableName, auditTableName),
  directory: new DynamoUserDirectory(consentTableName),
  clock: systemClock,
};

const LOSES_ANSWERS = 'loseNextTransactionAnswer';
let answersLost = 0;

/**
 * Lets the next transaction of the functions' DynamoDB client take effect, then loses its answer as a
 * time-out would. Placed after the SDK's retry step, as the local stack's fault injection is, so the
 * SDK sends the transaction again.
 */
function loseNextTransactionAnswer(): void {
  let armed = true;
  const middleware: FinalizeRequestMiddleware<any, any> = (next, context) => async (args) => {
    const result = await next(args);
    if (armed && /TransactWrite/.test(String(context.commandName))) {
      armed = false;
      answersLost += 1;
      throw Object.assign(new Error('the transaction took effect, and its answer was lost'), { name: 'TimeoutError', $metadata: {} });
    }
    return result;
  };
  dynamoDbClient.middlewareStack.add(middleware, { step: 'finalizeRequest', priority: 'low', name: LOSES_ANSWERS });
}

afterEach(() => {
  dynamoDbClient.middlewareStack.remove(LOSES_ANSWERS);
  answersLost = 0;
});

const auditOutcomes = async (phone: string) => (await auditEntriesOf(resources, phone)).map((item) => item['outcome']);

/*
 * The SDK's own idempotency token, which its retries reuse, is what makes these pass: without it, the
 * retried transaction would be cancelled on the event's marker, and the event reported as a duplicate
 * (no block counted, no held block announced).
 */
describe('the processor, when a transaction took effect but its answer was lost', () => {
  it('reports the automatic block as applied, not as a duplicate of itself', async () => {
    const phone = e164(uniquePhone());
    loseNextTransactionAnswer();

    const result = await applyConsentEvent(sampleAutomaticEvent({ phone, recipientId: phone.slice(1), eventId: `wa-lost-${phone}` }), deps);

    expect(answersLost).toBe(1);
    expect(result).toEqual({ outcome: 'applied' });
    expect(await auditOutcomes(phone)).toEqual(['applied']);
  });

  it('reports a block the guard held as held, so that it is announced', async () => {
    const phone = e164(uniquePhone());
    const guard = { settings: { limit: 1, windowSeconds: 600 }, counter: new DynamoGuardCounter(consentTableName) };
    const sender = `lost-answer-${phone}`;
    const failure = (n: number, to: E164) =>
      sampleAutomaticEvent({ phone: to, recipientId: to.slice(1), eventId: `wa-lost-${n}-${phone}`, actor: { type: 'provider', provider: 'whatsapp', phoneNumberId: sender } });
    await applyConsentEvent(failure(1, e164(uniquePhone())), { ...deps, guard });
    loseNextTransactionAnswer();

    const result = await applyConsentEvent(failure(2, phone), { ...deps, guard });

    expect(answersLost).toBe(1);
    expect(result).toEqual({ outcome: 'held' });
    expect(await auditOutcomes(phone)).toEqual(['held']);
  });
});
