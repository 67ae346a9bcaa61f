import { mockClient } from 'aws-sdk-client-mock';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { consentEventSchema } from '../../../shared/domain/consent-event.js';
import { PHONE, sampleEvent } from '../support/samples.js';

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
    expect(consentEventSchema.parse(JSON.parse(input?.MessageBody ?? ''))).toEqual(event);
  });

  it('lets a failure to send reach the caller', async () => {
    const unavailable = new Error('ServiceUnavailable');
    sqs.on(SendMessageCommand).rejects(unavailable);

    await expect(new SqsEventPublisher(QUEUE_URL).publish(sampleEvent())).rejects.toBe(unavailable);
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
