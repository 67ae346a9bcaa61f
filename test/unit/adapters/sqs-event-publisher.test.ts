import { mockClient } from 'aws-sdk-client-mock';
import { SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { consentEventSchema } from '../../../shared/domain/consent-event.js';
import { e164, PHONE, sampleAutomaticEvent, sampleEvent } from '../support/samples.js';

// The adapters build their clients when imported, and the SDK needs a region for that.
process.env.AWS_REGION ??= 'us-east-1';
const { SqsEventPublisher, asciiJson } = await import('../../../shared/adapters/sqs-event-publisher.js');

const sqs = mockClient(SQSClient);
const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/000000000000/consent.fifo';

beforeEach(() => {
  sqs.reset();
});

afterAll(() => {
  sqs.restore();
});

describe('SqsEventPublisher.publish', () => {
  it('sends the event to the FIFO queue grouped by number and deduplicated by event id', async () => {
    // prepare
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
    const event = sampleEvent({ eventId: 'event-7', reason: 'zákazník nechce zprávy 😀' });

    // act
    await new SqsEventPublisher(QUEUE_URL).publish(event);

    // assess
    const calls = sqs.commandCalls(SendMessageCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]?.args[0].input;
    expect(input).toMatchObject({ QueueUrl: QUEUE_URL, MessageGroupId: PHONE, MessageDeduplicationId: 'event-7' });
    expect(consentEventSchema().parse(JSON.parse(input?.MessageBody ?? ''))).toEqual(event);
  });

  it('gives the SDK the signal that gives up on the send, of one event or of every batch', async () => {
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    const signal = new AbortController().signal;

    await new SqsEventPublisher(QUEUE_URL).publish(sampleEvent(), { signal });
    await new SqsEventPublisher(QUEUE_URL).publishAll(Array.from({ length: 15 }, (_, index) => sampleEvent({ eventId: `event-${index}` })), { signal });

    expect(sqs.send.getCalls().map((call) => (call.args as unknown[])[1])).toEqual([{ abortSignal: signal }, { abortSignal: signal }, { abortSignal: signal }]);
  });

  it('lets a failure to send reach the caller', async () => {
    const unavailable = new Error('ServiceUnavailable');
    sqs.on(SendMessageCommand).rejects(unavailable);

    await expect(new SqsEventPublisher(QUEUE_URL).publish(sampleEvent())).rejects.toBe(unavailable);
  });
});

describe('SqsEventPublisher.publishAll', () => {
  const events = (count: number) =>
    Array.from({ length: count }, (_, index) =>
      sampleAutomaticEvent({ eventId: `wa-${index}`, phone: e164(`+4207770${String(index).padStart(5, '0')}`) }),
    );

  it('sends 25 events as batches of 10, 10 and 5, each message grouped by number and deduplicated by event id', async () => {
    // prepare
    sqs.on(SendMessageBatchCommand).callsFake((input: { Entries: unknown[] }) => ({ Successful: input.Entries, Failed: [] }));
    const sent = events(25);

    // act
    await new SqsEventPublisher(QUEUE_URL).publishAll(sent);

    // assess
    const batches = sqs.commandCalls(SendMessageBatchCommand).map((call) => call.args[0].input.Entries ?? []);
    expect(batches.map((entries) => entries.length)).toEqual([10, 10, 5]);
    const entries = batches.flat();
    expect(entries.map((entry) => [entry.MessageGroupId, entry.MessageDeduplicationId])).toEqual(sent.map((event) => [event.phone, event.eventId]));
    expect(entries.map((entry) => consentEventSchema().parse(JSON.parse(entry.MessageBody ?? '')))).toEqual(sent);
  });

  it('fails loudly when the queue refuses part of a batch, naming how many', async () => {
    sqs.on(SendMessageBatchCommand).resolves({
      Successful: [],
      Failed: [{ Id: '3', Code: 'InternalError', SenderFault: false, Message: 'try again' }],
    });

    await expect(new SqsEventPublisher(QUEUE_URL).publishAll(events(4))).rejects.toThrow(/refused 1 of 4 events \(InternalError: try again\)/);
  });

  it('sends nothing for no events', async () => {
    await new SqsEventPublisher(QUEUE_URL).publishAll([]);

    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(0);
  });
});

describe('asciiJson', () => {
  it('writes every non-ASCII character as an escape, and parses back to the same value', () => {
    const value = { reason: 'Ñandú 😀 \u007f 中文', n: 1 };

    const text = asciiJson(value);

    expect(text).toMatch(/^[\x20-\x7e]*$/);
    expect(JSON.parse(text)).toEqual(value);
  });
});
