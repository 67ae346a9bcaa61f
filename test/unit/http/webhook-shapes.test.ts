import { SHAPE_READINGS } from '../support/meta-shapes.js';
import { metaWebhookShapes, webhookFunction } from '../support/webhook-function.js';

/*
 * Every payload shape of Meta's webhook reference, through the whole webhook function (signature, body
 * limit, parsing, signals, the queue), with its AWS clients mocked: each is answered 200, with what it
 * carried counted, and what the service cannot read counted apart instead of refusing the callback.
 */

const { post } = await webhookFunction();
const shapes = metaWebhookShapes();

describe("Meta's payload shapes, through the webhook function", () => {
  it('has a reading for every shape in the folder, and a shape for every reading', () => {
    expect(shapes.map(([name]) => name)).toEqual(Object.keys(SHAPE_READINGS).sort());
  });

  it.each(shapes)('answers %s with 200 and counts what it carried', async (name, body) => {
    // act
    const response = await post(body);

    // assess
    const { statuses, messages, preferences, unreadable } = SHAPE_READINGS[name]!;
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ statuses, messages, preferences, unreadable });
  });

  it.each([
    // the user's STOP in the history of a number that joined the Cloud API is from the past
    ['history.json', 0],
    ['message-text.json', 0],
    ['status-failed-130472.json', 0],
    // the recipient resumed marketing messages
    ['user-preferences-resume.json', 1],
    // a change of number is queued for the old number
    ['system-user-changed-number-numeric-timestamp.json', 1],
    // a change of user id with no pairing known for the previous one has nothing to queue
    ['system-user-changed-user-id-2026.json', 0],
  ])('enqueues for %s what it asks for: %d events', async (name, enqueued) => {
    const [, body] = shapes.find(([shape]) => shape === name)!;

    expect((await post(body)).body).toMatchObject({ enqueued });
  });
});
