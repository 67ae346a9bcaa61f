import { failureClassifier } from '../shared/domain/whatsapp/provider-errors.js';
import { receiveDeliveryStatuses } from '../shared/domain/whatsapp/receive-signals.js';
import { deliveryStatusesOf, isSignedBy, readCallbackBody } from '../shared/domain/whatsapp/callback.js';
import type { EventPublisher } from '../shared/domain/ports.js';
import { signatureOf, statusCallback } from '../scripts/provider-callbacks.js';
import { printReport, rssMb } from './support/report.js';
import { timed } from './support/timing.js';
import { scaled } from './support/scale.js';

/**
 * The webhook's own work per callback (verify the signature, parse, classify, build the events), with
 * the enqueue left out: a callback of one failure, and one of a hundred statuses of every kind.
 */
const SECRET = 'bench-app-secret';
const ROUNDS = scaled(2_000, 20);

function callback(statuses: number): Buffer {
  const kinds = [
    { status: 'failed', errors: [{ code: 131026, title: 'Message undeliverable', error_data: { details: 'Message Undeliverable.' } }] },
    { status: 'failed', errors: [{ code: 131049, title: 'Ecosystem engagement' }] },
    { status: 'delivered' },
    { status: 'read' },
  ];
  const list = Array.from({ length: statuses }, (_, index) => ({
    id: `wamid.bench-${index}`,
    timestamp: '1778251283',
    recipient_id: `4207771${String(index).padStart(5, '0')}`,
    ...kinds[index % kinds.length],
  }));
  return Buffer.from(statusCallback({ phoneNumberId: '967249473135513', displayPhoneNumber: '5511962185237' }, list));
}

const discard: Pick<EventPublisher, 'publishAll'> = { publishAll: async () => undefined };
const classify = failureClassifier();

async function ownWork(body: Buffer, signature: string): Promise<number> {
  if (!isSignedBy(SECRET, body, signature)) throw new Error('bench body not signed');
  const statuses = deliveryStatusesOf(readCallbackBody(body).callback);
  const dispositions = await receiveDeliveryStatuses(statuses, { classify, publisher: discard });
  return dispositions.length;
}

async function measure(statuses: number): Promise<{ statuses: number; bytes: number; msPerCallback: number }> {
  const body = callback(statuses);
  const signature = signatureOf(body, SECRET);
  for (let round = 0; round < 200; round++) await ownWork(body, signature);
  const { ms } = await timed(async () => {
    for (let round = 0; round < ROUNDS; round++) await ownWork(body, signature);
  });
  return { statuses, bytes: body.length, msPerCallback: ms / ROUNDS };
}

export async function run(): Promise<void> {
  const single = await measure(1);
  const hundred = await measure(100);
  printReport({
    heading: ['webhook: own work per callback (signature, parsing, classification, events; no enqueue)'],
    table: [single, hundred].map((row) => ({ ...row, msPerCallback: Number(row.msPerCallback.toFixed(4)) })),
    summary: {
      bench: 'webhook',
      rounds: ROUNDS,
      msPerSingleFailure: Number(single.msPerCallback.toFixed(4)),
      msPerHundredStatuses: Number(hundred.msPerCallback.toFixed(4)),
      rssMb: rssMb(),
    },
  });
}
