import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import {
  deliveryStatusesOf,
  isSignedBy,
  profileIdOf,
  readCallback,
  secretsMatch,
} from '../../../../shared/domain/whatsapp/callback.js';

/** The provider's own callback, byte for byte as it was delivered. */
const FIXTURE = readFileSync(new URL('../../../fixtures/meta-status-failed-131026.json', import.meta.url));
const SECRET = 'app-secret-3f1c2a9e';

function hexDigest(body: Uint8Array | string, secret = SECRET): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

function signature(body: Uint8Array | string, secret = SECRET): string {
  return `sha256=${hexDigest(body, secret)}`;
}

/** The fixture as a fresh object, to change a copy of the real shape. */
function fixtureCopy(): any {
  return JSON.parse(FIXTURE.toString('utf8'));
}

function statusesOf(callback: unknown) {
  return deliveryStatusesOf(readCallback(callback).callback);
}

/** Where the unreadable items of a callback are, and how many each note stands for. */
function unreadableOf(callback: unknown) {
  return readCallback(callback).unreadable.map(({ path, items }) => ({ path, items }));
}

describe('isSignedBy', () => {
  it('verifies the provider fixture signed with the app secret', () => {
    expect(isSignedBy(SECRET, FIXTURE, signature(FIXTURE))).toBe(true);
  });

  it('verifies only the bytes as they arrived, not a re-serialisation of the same JSON', () => {
    // prepare: white space, key order and \u escapes that JSON.stringify would not reproduce
    const original = Buffer.from(
      '{ "entry": [],\n  "object":"whatsapp_business_account", "note": "caf\\u00e9 \\u2603" }\n',
      'utf8',
    );
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(original.toString('utf8'))), 'utf8');
    expect(reserialised.equals(original)).toBe(false);

    // act, assess
    expect(isSignedBy(SECRET, original, signature(original))).toBe(true);
    expect(isSignedBy(SECRET, reserialised, signature(original))).toBe(false);
    expect(isSignedBy(SECRET, original, signature(reserialised))).toBe(false);
  });

  it('verifies a body of UTF-8 text beyond ASCII, over its UTF-8 bytes', () => {
    // prepare
    const text = '{"object":"whatsapp_business_account","entry":[],"name":"José Müller 日本 😀"}';
    const body = Buffer.from(text, 'utf8');

    // act, assess
    expect(isSignedBy(SECRET, body, signature(body))).toBe(true);
    expect(isSignedBy(SECRET, body, signature(text))).toBe(true); // the same bytes, hashed from the string
    expect(isSignedBy(SECRET, Buffer.from(text, 'latin1'), signature(body))).toBe(false);
  });

  it('accepts the digest in upper-case hex', () => {
    expect(isSignedBy(SECRET, FIXTURE, `sha256=${hexDigest(FIXTURE).toUpperCase()}`)).toBe(true);
  });

  it('refuses a digest with any single bit flipped', () => {
    const digest = Buffer.from(hexDigest(FIXTURE), 'hex');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: digest.length * 8 - 1 }), (bit) => {
        // prepare
        const flipped = Buffer.from(digest);
        flipped[bit >> 3]! ^= 1 << (bit & 7);

        // act, assess
        expect(isSignedBy(SECRET, FIXTURE, `sha256=${flipped.toString('hex')}`)).toBe(false);
      }),
      { numRuns: 256 },
    );
  });

  it('refuses a body with any single byte changed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: FIXTURE.length - 1 }), fc.integer({ min: 1, max: 255 }), (index, mask) => {
        const changed = Buffer.from(FIXTURE);
        changed[index]! ^= mask;
        expect(isSignedBy(SECRET, changed, signature(FIXTURE))).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['only the prefix', 'sha256='],
    ['the digest without prefix', hexDigest(FIXTURE)],
    ['truncated hex', `sha256=${hexDigest(FIXTURE).slice(0, 63)}`],
    ['hex one byte short', `sha256=${hexDigest(FIXTURE).slice(0, 62)}`],
    ['overlong hex', `sha256=${hexDigest(FIXTURE)}0`],
    ['hex one byte too long', `sha256=${hexDigest(FIXTURE)}00`],
    ['the sha1= prefix', `sha1=${hexDigest(FIXTURE)}`],
    ['an SHA-1 digest', `sha1=${createHmac('sha1', SECRET).update(FIXTURE).digest('hex')}`],
    ['a space after the prefix', `sha256= ${hexDigest(FIXTURE)}`],
    ['a trailing newline', `sha256=${hexDigest(FIXTURE)}\n`],
    ['a second signature after a comma', `sha256=${hexDigest(FIXTURE)},sha256=${hexDigest(FIXTURE)}`],
    ['non-hex characters', `sha256=${'zz'.repeat(32)}`],
    ['base64 instead of hex', `sha256=${createHmac('sha256', SECRET).update(FIXTURE).digest('base64')}`],
  ])('refuses a header that is %s, without throwing', (_label, header) => {
    expect(() => isSignedBy(SECRET, FIXTURE, header)).not.toThrow();
    expect(isSignedBy(SECRET, FIXTURE, header)).toBe(false);
  });

  it('refuses a signature made with another secret', () => {
    expect(isSignedBy(SECRET, FIXTURE, signature(FIXTURE, 'another-secret'))).toBe(false);
    expect(isSignedBy('another-secret', FIXTURE, signature(FIXTURE))).toBe(false);
  });

  it('never throws, whatever the header', () => {
    fc.assert(
      fc.property(fc.option(fc.oneof(fc.string(), fc.string().map((text) => `sha256=${text}`)), { nil: undefined }), (header) => {
        expect(typeof isSignedBy(SECRET, FIXTURE, header)).toBe('boolean');
      }),
      { numRuns: 500 },
    );
  });
});

describe('secretsMatch', () => {
  it('matches the same secret', () => {
    expect(secretsMatch('verify-token-1', 'verify-token-1')).toBe(true);
    expect(secretsMatch('jeton é 日本', 'jeton é 日本')).toBe(true);
  });

  it.each([
    ['a shorter', 'verify-token', 'verify-token-1'],
    ['a longer', 'verify-token-1-and-more', 'verify-token-1'],
    ['an empty', '', 'verify-token-1'],
    ['a same-length but different', 'verify-token-2', 'verify-token-1'],
  ])('refuses %s secret without throwing', (_label, given, expected) => {
    expect(() => secretsMatch(given, expected)).not.toThrow();
    expect(secretsMatch(given, expected)).toBe(false);
  });

  it('matches exactly when the strings are equal', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (given, expected) => {
        expect(secretsMatch(given, expected)).toBe(given === expected);
        expect(secretsMatch(given, given)).toBe(true);
      }),
    );
  });
});

describe('readCallback and deliveryStatusesOf', () => {
  it('reads the one failed status of the provider fixture', () => {
    // act
    const statuses = statusesOf(fixtureCopy());

    // assess
    expect(statuses).toEqual([
      {
        messageId: 'wamid.HBgMNTU0MTkyMTQ2NDczFQIAERgSOTU3MDkwOEFBNTNBRDE4MUFGAA==',
        status: 'failed',
        occurredAt: '2026-05-08T14:41:23.000Z',
        recipientId: '554192146473',
        sender: { phoneNumberId: '967249473135513', displayPhoneNumber: '5511962185237' },
        errors: [{ code: 131026, text: 'Message undeliverable' }],
      },
    ]);
    expect(statuses[0]?.occurredAt).toBe(new Date(1778251283 * 1000).toISOString());
  });

  it('tolerates fields it does not know, at every level', () => {
    // prepare
    const callback = fixtureCopy();
    callback.unknown_top = { nested: true };
    callback.entry[0].time = 1778251283;
    callback.entry[0].changes[0].value.metadata.extra = 'x';
    callback.entry[0].changes[0].value.contacts[0].profile = { name: 'Ana' };
    Object.assign(callback.entry[0].changes[0].value.statuses[0], {
      conversation: { id: 'c-1', origin: { type: 'marketing' } },
      pricing: { billable: false, pricing_model: 'PMP', category: 'marketing' },
      biz_opaque_callback_data: 'campaign-42',
    });
    callback.entry[0].changes[0].value.statuses[0].errors[0].href = 'https://developers.facebook.com/docs/';

    // act
    const { callback: read, unreadable } = readCallback(callback);

    // assess
    expect(unreadable).toEqual([]);
    expect(deliveryStatusesOf(read)).toEqual(statusesOf(fixtureCopy()));
  });

  it('parses an inbound message change, which carries no statuses', () => {
    const callback = fixtureCopy();
    callback.entry[0].changes[0].value = {
      messaging_product: 'whatsapp',
      metadata: { display_phone_number: '5511962185237', phone_number_id: '967249473135513' },
      contacts: [{ profile: { name: 'Ana' }, wa_id: '554192146473' }],
      messages: [{ from: '554192146473', id: 'wamid.in-1', timestamp: '1778251283', type: 'text', text: { body: 'PARE' } }],
    };

    expect(statusesOf(callback)).toEqual([]);
  });

  it('parses a user_preferences change, which carries no statuses', () => {
    const callback = fixtureCopy();
    callback.entry[0].changes[0] = {
      field: 'user_preferences',
      value: {
        messaging_product: 'whatsapp',
        metadata: { display_phone_number: '5511962185237', phone_number_id: '967249473135513' },
        contacts: [{ wa_id: '554192146473' }],
        user_preferences: [
          { wa_id: '554192146473', detail: 'User requested to stop marketing messages', category: 'marketing_messages', value: 'stop', timestamp: 1778251283 },
        ],
      },
    };

    expect(statusesOf(callback)).toEqual([]);
  });

  it('parses a change without metadata when it has no statuses (an account update)', () => {
    const callback = fixtureCopy();
    callback.entry[0].changes[0] = { field: 'account_update', value: { phone_number: '5511962185237', event: 'VERIFIED_ACCOUNT' } };

    expect(statusesOf(callback)).toEqual([]);
  });

  it('reads a read receipt as a status with no errors', () => {
    const callback = fixtureCopy();
    const status = callback.entry[0].changes[0].value.statuses[0];
    status.status = 'read';
    delete status.errors;

    expect(statusesOf(callback)).toMatchObject([{ status: 'read', errors: [], recipientId: '554192146473' }]);
  });

  it('gives every status of a callback, in the order it lists them, across statuses, changes and entries', () => {
    // prepare
    const callback = fixtureCopy();
    const template = callback.entry[0].changes[0].value.statuses[0];
    const status = (id: string, state: string) => ({ ...template, id, status: state });
    const value = callback.entry[0].changes[0].value;
    value.statuses = [status('m1', 'sent'), status('m2', 'failed'), status('m3', 'delivered')];
    callback.entry[0].changes.push({ field: 'messages', value: { ...value, statuses: [status('m4', 'read')] } });
    callback.entry.push({
      id: 'waba-2',
      changes: [
        {
          field: 'messages',
          value: { ...value, metadata: { phone_number_id: 'other-sender' }, statuses: [status('m5', 'failed'), status('m6', 'sent')] },
        },
      ],
    });

    // act
    const statuses = statusesOf(callback);

    // assess
    expect(statuses.map((one) => [one.messageId, one.status, one.sender.phoneNumberId])).toEqual([
      ['m1', 'sent', '967249473135513'],
      ['m2', 'failed', '967249473135513'],
      ['m3', 'delivered', '967249473135513'],
      ['m4', 'read', '967249473135513'],
      ['m5', 'failed', 'other-sender'],
      ['m6', 'sent', 'other-sender'],
    ]);
    expect(statuses[4]?.sender.displayPhoneNumber).toBeUndefined();
  });

  it('keeps a long list of statuses in order', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.stringMatching(/^wamid\.[A-Za-z0-9]{1,20}$/), { minLength: 1, maxLength: 50 }), (ids) => {
        const callback = fixtureCopy();
        const template = callback.entry[0].changes[0].value.statuses[0];
        callback.entry[0].changes[0].value.statuses = ids.map((id) => ({ ...template, id }));

        expect(statusesOf(callback).map((status) => status.messageId)).toEqual(ids);
      }),
      { numRuns: 50 },
    );
  });

  it('reads no status of a change without the metadata of the sending number, and notes them', () => {
    const callback = fixtureCopy();
    delete callback.entry[0].changes[0].value.metadata;

    expect(statusesOf(callback)).toEqual([]);
    expect(unreadableOf(callback)).toEqual([{ path: 'entry[0].changes[0].value.metadata.phone_number_id', items: 1 }]);
  });

  it('notes what stands in place of statuses, messages and preferences of a change without metadata', () => {
    const callback = { object: 'whatsapp_business_account', entry: [{ changes: [{ value: { statuses: 'many', messages: [1, 2], user_preferences: null } }] }] };

    expect(unreadableOf(callback)).toEqual([{ path: 'entry[0].changes[0].value.metadata.phone_number_id', items: 3 }]);
  });

  it('falls back to the single contact when a status names no recipient_id', () => {
    const callback = fixtureCopy();
    delete callback.entry[0].changes[0].value.statuses[0].recipient_id;
    callback.entry[0].changes[0].value.contacts = [{ wa_id: '420777123456' }];

    expect(statusesOf(callback)[0]?.recipientId).toBe('420777123456');
  });

  it.each([
    ['no contacts', undefined],
    ['two contacts', [{ wa_id: '420777123456' }, { wa_id: '420777123457' }]],
  ])('leaves the recipient unknown when a status names no recipient_id and there are %s', (_label, contacts) => {
    const callback = fixtureCopy();
    delete callback.entry[0].changes[0].value.statuses[0].recipient_id;
    if (contacts) callback.entry[0].changes[0].value.contacts = contacts;
    else delete callback.entry[0].changes[0].value.contacts;

    expect(statusesOf(callback)[0]?.recipientId).toBeUndefined();
  });

  it('prefers the recipient_id of the status to the contact', () => {
    const callback = fixtureCopy();
    callback.entry[0].changes[0].value.contacts = [{ wa_id: '420777123456' }];

    expect(statusesOf(callback)[0]?.recipientId).toBe('554192146473');
  });

  it.each<[string, (callback: any) => void, string]>([
    ['entry is not an array', (callback) => (callback.entry = callback.entry[0]), 'entry'],
    ['changes is not an array', (callback) => (callback.entry[0].changes = {}), 'entry[0].changes'],
    ['statuses is not an array', (callback) => (callback.entry[0].changes[0].value.statuses = {}), 'entry[0].changes[0].value.statuses'],
    ['the status timestamp has letters', (callback) => (callback.entry[0].changes[0].value.statuses[0].timestamp = '17782512a3'), 'entry[0].changes[0].value.statuses[0]'],
    ['the status timestamp is fractional', (callback) => (callback.entry[0].changes[0].value.statuses[0].timestamp = '1778251283.5'), 'entry[0].changes[0].value.statuses[0]'],
    ['the status timestamp is negative', (callback) => (callback.entry[0].changes[0].value.statuses[0].timestamp = '-1778251283'), 'entry[0].changes[0].value.statuses[0]'],
    ['the status timestamp is in milliseconds', (callback) => (callback.entry[0].changes[0].value.statuses[0].timestamp = 1778251283000), 'entry[0].changes[0].value.statuses[0]'],
    ['the status timestamp is empty', (callback) => (callback.entry[0].changes[0].value.statuses[0].timestamp = ''), 'entry[0].changes[0].value.statuses[0]'],
    ['the status id is missing', (callback) => delete callback.entry[0].changes[0].value.statuses[0].id, 'entry[0].changes[0].value.statuses[0]'],
    ['the status id is empty', (callback) => (callback.entry[0].changes[0].value.statuses[0].id = ''), 'entry[0].changes[0].value.statuses[0]'],
    ['the status is missing', (callback) => delete callback.entry[0].changes[0].value.statuses[0].status, 'entry[0].changes[0].value.statuses[0]'],
    ['the recipient is an object', (callback) => (callback.entry[0].changes[0].value.statuses[0].recipient_id = { wa_id: '1' }), 'entry[0].changes[0].value.statuses[0]'],
    ['the phone_number_id is missing', (callback) => delete callback.entry[0].changes[0].value.metadata.phone_number_id, 'entry[0].changes[0].value.metadata.phone_number_id'],
  ])('reads no status, and notes where, when %s', (_label, breakIt, path) => {
    // prepare
    const callback = fixtureCopy();
    breakIt(callback);

    // act, assess
    expect(statusesOf(callback)).toEqual([]);
    expect(unreadableOf(callback)).toEqual([{ path, items: 1 }]);
  });

  it.each<[string, (callback: any) => void]>([
    ['entry is missing', (callback) => delete callback.entry],
    ['entry is null', (callback) => (callback.entry = null)],
    ['changes are missing', (callback) => delete callback.entry[0].changes],
    ['statuses are null', (callback) => (callback.entry[0].changes[0].value.statuses = null)],
  ])('reads nothing and notes nothing when %s: an absent list is an empty one', (_label, breakIt) => {
    const callback = fixtureCopy();
    breakIt(callback);

    expect(statusesOf(callback)).toEqual([]);
    expect(unreadableOf(callback)).toEqual([]);
  });

  it.each<[string, (callback: any) => void]>([
    ['a number', (callback) => (callback.entry[0].changes[0].value.statuses[0].timestamp = 1778251283)],
    ['a string', (callback) => (callback.entry[0].changes[0].value.statuses[0].timestamp = '1778251283')],
  ])('reads a status timestamp written as %s', (_label, write) => {
    const callback = fixtureCopy();
    write(callback);

    expect(statusesOf(callback)).toMatchObject([{ occurredAt: '2026-05-08T14:41:23.000Z' }]);
    expect(unreadableOf(callback)).toEqual([]);
  });

  it('reads ids and error codes written as numbers, as their digits', () => {
    const callback = fixtureCopy();
    const value = callback.entry[0].changes[0].value;
    value.metadata.phone_number_id = 967249473135513;
    value.statuses[0].recipient_id = 554192146473;
    value.statuses[0].errors[0].code = '131026';

    expect(statusesOf(callback)).toMatchObject([{ recipientId: '554192146473', sender: { phoneNumberId: '967249473135513' }, errors: [{ code: 131026 }] }]);
  });

  it('keeps a status whose one error is malformed, without that error, and notes the error', () => {
    const callback = fixtureCopy();
    const status = callback.entry[0].changes[0].value.statuses[0];
    status.errors = [{ code: 131026.5 }, { code: 131026, title: 'Message undeliverable' }];

    expect(statusesOf(callback)).toMatchObject([{ status: 'failed', errors: [{ code: 131026, text: 'Message undeliverable' }] }]);
    expect(unreadableOf(callback)).toEqual([{ path: 'entry[0].changes[0].value.statuses[0].errors[0]', items: 1 }]);
  });

  it('keeps the statuses beside a malformed one, in their order', () => {
    const callback = fixtureCopy();
    const value = callback.entry[0].changes[0].value;
    const [template] = value.statuses;
    value.statuses = [{ ...template, id: 'm1' }, { ...template, id: 'm2', timestamp: 'yesterday' }, 'junk', { ...template, id: 'm3' }];

    expect(statusesOf(callback).map((status) => status.messageId)).toEqual(['m1', 'm3']);
    expect(readCallback(callback).unreadable).toEqual([
      { path: 'entry[0].changes[0].value.statuses[1]', messageId: 'm2', reason: expect.stringContaining('timestamp'), items: 1 },
      { path: 'entry[0].changes[0].value.statuses[2]', reason: expect.any(String), items: 1 },
    ]);
  });

  it('reads the first 10,000 statuses of a change and counts the rest as unreadable', () => {
    const callback = fixtureCopy();
    const value = callback.entry[0].changes[0].value;
    value.statuses = Array.from({ length: 10_003 }, (_, index) => ({ ...value.statuses[0], id: `m${index}`, status: 'read' }));

    expect(statusesOf(callback)).toHaveLength(10_000);
    expect(unreadableOf(callback)).toEqual([{ path: 'entry[0].changes[0].value.statuses[10000:]', items: 3 }]);
  });

  it.each([null, 'text', 42, [], [fixtureCopy()]])('reads nothing of a body that is not an object, %p, and notes it', (callback) => {
    expect(statusesOf(callback)).toEqual([]);
    expect(unreadableOf(callback)).toEqual([{ path: 'body', items: 1 }]);
  });

  it.each([undefined, 'page', 'whatsapp', 42])('reads nothing of a callback whose object is %p, and notes it', (object) => {
    const callback = fixtureCopy();
    callback.object = object;

    expect(statusesOf(callback)).toEqual([]);
    expect(unreadableOf(callback)).toEqual([{ path: 'object', items: 1 }]);
  });
});

describe('user ids in statuses', () => {
  const change = (statuses: Record<string, unknown>[], contacts: Record<string, unknown>[]) => ({
    object: 'whatsapp_business_account',
    entry: [{ id: '1', changes: [{ field: 'messages', value: { metadata: { phone_number_id: '967249473135513' }, contacts, statuses } }] }],
  });
  const status = (fields: Record<string, unknown>) => ({ id: `wamid.${Math.random()}`, status: 'failed', timestamp: '1778251600', errors: [{ code: 131026 }], ...fields });

  it('reads recipient_user_id, and keeps a status named by user id alone without a WhatsApp id', () => {
    const [only] = statusesOf(change([status({ recipient_user_id: 'US.13491208655302741918' })], []));

    expect(only).toMatchObject({ recipientId: undefined, userId: 'US.13491208655302741918' });
  });

  it("does not lend a status named by user id the sole contact's number when the contact is another user", () => {
    const callback = change(
      [status({ recipient_id: '16505551234', recipient_user_id: 'US.1' }), status({ recipient_user_id: 'US.2' })],
      [{ wa_id: '16505551234', user_id: 'US.1' }],
    );

    expect(statusesOf(callback).map(({ recipientId, userId }) => ({ recipientId, userId }))).toEqual([
      { recipientId: '16505551234', userId: 'US.1' },
      { recipientId: undefined, userId: 'US.2' },
    ]);
  });

  it("lends the sole contact's number to a status of the same user id", () => {
    const [only] = statusesOf(change([status({ recipient_user_id: 'US.1' })], [{ wa_id: '16505551234', user_id: 'US.1' }]));

    expect(only).toMatchObject({ recipientId: '16505551234', userId: 'US.1' });
  });

  it('ignores a user id that has not the form of one', () => {
    const [only] = statusesOf(change([status({ recipient_id: '16505551234', recipient_user_id: 'not an id' })], []));

    expect(only).toMatchObject({ recipientId: '16505551234', userId: undefined });
  });
});

describe('profileIdOf', () => {
  it("reads the profile a campaign named in biz_opaque_callback_data", () => {
    expect(profileIdOf('{"profileId":"crm-1001"}')).toBe('crm-1001');
    expect(profileIdOf('{"profileId":"crm-1001","campaign":"spring"}')).toBe('crm-1001');
  });

  it.each([
    ['nothing', undefined],
    ['free text', 'campaign spring 2026'],
    ['JSON without a profile', '{"campaign":"spring"}'],
    ['a profile id of another form', '{"profileId":"crm 1001/../x"}'],
    ['a number', '{"profileId":1001}'],
    ['JSON that is no object', '"crm-1001"'],
    ['null', 'null'],
  ])('names no profile for %s', (_label, data) => {
    expect(profileIdOf(data)).toBeUndefined();
  });
});
