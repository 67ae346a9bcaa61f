import { consentEventSchema } from '../../../shared/domain/consent-event.js';
import { REASON_MAX_LENGTH } from '../../../shared/domain/text.js';
import { sampleEvent } from '../support/samples.js';

/** The field names of the issues a value raises, or `[]` when it is valid. */
function issuePaths(value: unknown): string[] {
  const result = consentEventSchema().safeParse(value);
  return result.success ? [] : result.error.issues.map((issue) => issue.path.join('.'));
}

describe('consentEventSchema', () => {
  it('accepts a valid event and gives it back unchanged', () => {
    const event = sampleEvent();

    expect(consentEventSchema().parse(event)).toEqual(event);
  });

  it('accepts an event that went through JSON, as it does on the queue', () => {
    const event = sampleEvent({ reason: 'zákazník si nepřeje 😀' });

    expect(consentEventSchema().parse(JSON.parse(JSON.stringify(event)))).toEqual(event);
  });

  it('refuses an unknown field', () => {
    expect(issuePaths({ ...sampleEvent(), channel: 'sms' })).toEqual(['']);
  });

  it('refuses an unknown field in the actor', () => {
    expect(issuePaths({ ...sampleEvent(), actor: { type: 'user', sub: 's', username: 'u', admin: true } })).toEqual(['actor']);
  });

  it.each([0, 2, '1'])('refuses the version %j', (version) => {
    expect(issuePaths({ ...sampleEvent(), version })).toEqual(['version']);
  });

  it.each(['+420 777 123 456', '00420777123456', '420777123456', '+420777123', 'abc', ''])(
    'refuses the phone %j, which is not E.164',
    (phone) => {
      expect(issuePaths({ ...sampleEvent(), phone })).toEqual(['phone']);
    },
  );

  it.each(['', ' ', '\n\t  '])('refuses the empty or blank reason %j', (reason) => {
    expect(issuePaths(sampleEvent({ reason }))).toEqual(['reason']);
  });

  it(`accepts a reason of exactly ${REASON_MAX_LENGTH} characters and refuses one more`, () => {
    expect(issuePaths(sampleEvent({ reason: 'a'.repeat(REASON_MAX_LENGTH) }))).toEqual([]);
    expect(issuePaths(sampleEvent({ reason: 'a'.repeat(REASON_MAX_LENGTH + 1) }))).toEqual(['reason']);
  });

  it(`accepts ${REASON_MAX_LENGTH} emoji (${REASON_MAX_LENGTH * 2} UTF-16 units) and refuses ${REASON_MAX_LENGTH + 1}`, () => {
    expect(issuePaths(sampleEvent({ reason: '😀'.repeat(REASON_MAX_LENGTH) }))).toEqual([]);
    expect(issuePaths(sampleEvent({ reason: '😀'.repeat(REASON_MAX_LENGTH + 1) }))).toEqual(['reason']);
  });

  it('measures the reason after trimming', () => {
    const padded = `  ${'a'.repeat(REASON_MAX_LENGTH)}  `;

    expect(consentEventSchema().parse(sampleEvent({ reason: padded })).reason).toBe('a'.repeat(REASON_MAX_LENGTH));
  });

  it.each(['\ud83d', 'blocked \udc00 by mistake'])('refuses the reason %j, which holds a lone surrogate', (reason) => {
    expect(issuePaths(sampleEvent({ reason }))).toEqual(['reason']);
  });

  it.each([0, -1, 1.5])('refuses the sequence %j', (sequence) => {
    expect(issuePaths(sampleEvent({ sequence }))).toEqual(['sequence']);
  });

  it.each(['2025-01-02', '2025-01-02T03:04:05+01:00', 'yesterday'])('refuses the timestamp %j, which is not UTC ISO 8601', (requestedAt) => {
    expect(issuePaths(sampleEvent({ requestedAt }))).toEqual(['requestedAt']);
  });

  it("accepts an import's row: no profile, and the import's id", () => {
    const { profileId: _none, ...event } = { ...sampleEvent(), importId: '01JIMPORTIMPORTIMPORTIMPOR' };

    expect(consentEventSchema().parse(event)).toEqual(event);
  });

  it.each(['', 'x'.repeat(65)])('refuses the import id %j', (importId) => {
    expect(issuePaths({ ...sampleEvent(), importId })).toEqual(['importId']);
  });

  it('refuses an action other than block or unblock', () => {
    expect(issuePaths({ ...sampleEvent(), action: 'wa_blocked' })).toEqual(['action']);
  });
});
