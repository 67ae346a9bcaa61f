import * as z from 'zod';
import { InvalidInputError } from '../../../shared/domain/errors.js';
import {
  header,
  jsonBody,
  pageQuery,
  parseWith,
  pathParameters,
  phoneInput,
  queryParameters,
  UnsupportedMediaTypeError,
} from '../../../shared/http/request.js';
import { httpEvent } from '../support/samples.js';

/** The error a call throws, for comparing its whole shape. */
function thrownBy(call: () => unknown): unknown {
  try {
    call();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}

const reasonBody = z.strictObject({ reason: z.string().min(1) });

/** A request whose body is declared JSON, as clients of the JSON routes send it. */
function jsonEvent(body: string, options: { contentType?: string; isBase64Encoded?: boolean } = {}) {
  const { contentType = 'application/json', isBase64Encoded = false } = options;
  return httpEvent({ body, isBase64Encoded, headers: { 'content-type': contentType } });
}

describe('jsonBody', () => {
  it('parses a JSON body with the schema', () => {
    expect(jsonBody(jsonEvent('{"reason":"asked by phone"}'), reasonBody)).toEqual({ reason: 'asked by phone' });
  });

  it('decodes a base64-encoded body first', () => {
    const body = Buffer.from('{"reason":"zákazník 😀"}', 'utf8').toString('base64');

    expect(jsonBody(jsonEvent(body, { isBase64Encoded: true }), reasonBody)).toEqual({ reason: 'zákazník 😀' });
  });

  it.each([
    'application/json',
    'application/json; charset=utf-8',
    'Application/JSON;charset="UTF-8"',
    'application/merge-patch+json',
    'application/vnd.example.consent+json; version=1',
  ])('reads a body declared %j', (contentType) => {
    expect(jsonBody(jsonEvent('{"reason":"r"}', { contentType }), reasonBody)).toEqual({ reason: 'r' });
  });

  it.each([
    ['form fields', 'application/x-www-form-urlencoded', 'reason=asked', false],
    ['form fields that happen to be JSON', 'application/x-www-form-urlencoded', '{"reason":"r"}', false],
    ['plain text', 'text/plain;charset=UTF-8', '{"reason":"r"}', false],
    ['CSV', 'text/csv', 'reason\nr', false],
    ['bytes API Gateway base64-encoded', 'application/octet-stream', Buffer.from('{"reason":"r"}').toString('base64'), true],
    ['a type that only starts like JSON', 'application/json-seq', '{"reason":"r"}', false],
    ['a type that only ends like JSON', 'application/notjson', '{"reason":"r"}', false],
    ['JSON in another character set', 'application/json; charset=iso-8859-1', '{"reason":"r"}', false],
  ])('refuses %s with a 415 problem naming the content type', (_label, contentType, body, isBase64Encoded) => {
    const error = thrownBy(() => jsonBody(jsonEvent(body, { contentType, isBase64Encoded }), reasonBody));

    expect(error).toBeInstanceOf(UnsupportedMediaTypeError);
    expect(error).toMatchObject({
      status: 415,
      type: '/problems/unsupported-media-type',
      title: 'Unsupported media type',
      message: 'The body must be JSON, sent with Content-Type: application/json.',
      errors: [{ field: 'header.content-type', message: 'must be application/json (or a +json type), in UTF-8' }],
    });
  });

  it('refuses a body without any content type with a 415', () => {
    const error = thrownBy(() => jsonBody(httpEvent({ body: '{"reason":"r"}', headers: {} }), reasonBody));

    expect(error).toBeInstanceOf(UnsupportedMediaTypeError);
    expect(error).toMatchObject({ status: 415, errors: [{ field: 'header.content-type' }] });
  });

  it.each([
    ['malformed JSON', '{"reason":'],
    ['an empty body', ''],
    ['a body that is not JSON at all', 'reason=asked'],
  ])('refuses %s with a 400 on the field body', (_label, body) => {
    const error = thrownBy(() => jsonBody(jsonEvent(body), reasonBody));

    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error).toMatchObject({
      status: 400,
      message: 'The body is not valid JSON.',
      errors: [{ field: 'body', message: 'must be a JSON document' }],
    });
  });

  it.each([
    ['bytes that are no UTF-8', Buffer.concat([Buffer.from('{"reason":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')])],
    ['an overlong encoding of a quote', Buffer.concat([Buffer.from('{"reason":"a'), Buffer.from([0xc0, 0xa2]), Buffer.from('"}')])],
    ['a surrogate encoded as UTF-8', Buffer.concat([Buffer.from('{"reason":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')])],
  ])('refuses %s with a 400 on the field body, rather than read them as U+FFFD', (_label, bytes) => {
    const error = thrownBy(() => jsonBody(jsonEvent(bytes.toString('base64'), { isBase64Encoded: true }), reasonBody));

    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error).toMatchObject({ status: 400, message: 'The body is not valid UTF-8.', errors: [{ field: 'body', message: 'must be UTF-8' }] });
  });

  it('refuses a missing body with a 400 on the field body, whatever its content type says', () => {
    expect(thrownBy(() => jsonBody(httpEvent(), reasonBody))).toMatchObject({ status: 400, errors: [{ field: 'body' }] });
    expect(thrownBy(() => jsonBody(httpEvent({ headers: { 'content-type': 'application/json' } }), reasonBody))).toMatchObject({
      status: 400,
      errors: [{ field: 'body' }],
    });
  });

  it('refuses unknown fields of a strict object with a 400 that names them', () => {
    const error = thrownBy(() => jsonBody(jsonEvent('{"reason":"r","channel":"sms","force":true}'), reasonBody));

    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error).toMatchObject({ status: 400, errors: [{ field: 'body', message: 'has unknown fields: channel, force' }] });
  });

  it('lists every invalid field with its path', () => {
    const schema = z.strictObject({ reason: z.string().min(1), numbers: z.array(phoneInput()) });

    const error = thrownBy(() => jsonBody(jsonEvent('{"reason":7,"numbers":["+420777123456","nope"]}'), schema));

    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).errors.map((fieldError) => fieldError.field)).toEqual(['body.reason', 'body.numbers.1']);
  });

  it.each(['null', '[]', '"reason"', '42'])('refuses the JSON value %s where an object is expected', (body) => {
    expect(thrownBy(() => jsonBody(jsonEvent(body), reasonBody))).toMatchObject({ status: 400, errors: [{ field: 'body' }] });
  });
});

describe('jsonBody and nesting', () => {
  const anything = z.strictObject({ value: z.unknown() });
  const nested = (levels: number) => `{"value":${'['.repeat(levels - 1)}${']'.repeat(levels - 1)}}`;

  it('reads a document nested 32 levels deep', () => {
    expect(jsonBody(jsonEvent(nested(32)), anything)).toHaveProperty('value');
  });

  it.each([33, 100_000])('refuses a document nested %i levels deep with a 400 on the field body', (levels) => {
    const error = thrownBy(() => jsonBody(jsonEvent(nested(levels)), anything));

    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error).toMatchObject({ status: 400, errors: [{ field: 'body', message: 'must not nest arrays and objects more than 32 levels deep' }] });
  });
});

describe('the words of field errors', () => {
  /** The one message that parsing `value` with `schema` puts on its field. */
  function messageFor(schema: z.ZodType, value: unknown): string {
    const error = thrownBy(() => parseWith(schema, value, 'body'));
    expect(error).toBeInstanceOf(InvalidInputError);
    const { errors } = error as InvalidInputError;
    expect(errors).toHaveLength(1);
    return errors[0]!.message;
  }

  it.each([
    ['a missing field', z.object({ reason: z.string() }), {}, 'is required'],
    ['a field that must be left out', z.object({ reason: z.never().optional() }), { reason: 'r' }, 'is not allowed'],
    ['an absent value where one must be', z.object({ reason: z.string().optional().nonoptional() }), { reason: undefined }, 'is required'],
    ['a number for a string', z.string(), 7, 'must be a string'],
    ['null for a string', z.string(), null, 'must be a string'],
    ['a string for a number', z.number(), '7', 'must be a number'],
    ['text that is no number', z.coerce.number(), 'ten', 'must be a number'],
    ['a fraction for a whole number', z.number().int(), 2.5, 'must be a whole number'],
    ['a string for true or false', z.boolean(), 'yes', 'must be true or false'],
    ['an object for a list', z.array(z.string()), { a: 1 }, 'must be a list'],
    ['a list for an object', z.object({}), [], 'must be an object'],
    ['null for an object', z.strictObject({}), null, 'must be an object'],
    ['an empty list', z.array(z.string()).min(1), [], 'must list at least 1 item'],
    ['a list too short', z.array(z.string()).min(3), ['a'], 'must list at least 3 items'],
    ['a list too long', z.array(z.string()).max(20), Array.from({ length: 21 }, () => 'a'), 'must list at most 20 items'],
    ['a list of one too many', z.array(z.string()).max(1), ['a', 'b'], 'must list at most 1 item'],
    ['a list of the wrong length', z.array(z.string()).length(2), ['a'], 'must list exactly 2 items'],
    ['an empty string', z.string().min(1), '', 'must not be empty'],
    ['a string too short', z.string().min(3), 'ab', 'must be at least 3 characters long'],
    ['a string too long', z.string().max(2048), 'a'.repeat(2049), 'must be at most 2048 characters long'],
    ['a string of the wrong length', z.string().length(1), 'ab', 'must be exactly 1 character long'],
    ['a number too small', z.number().min(1), 0, 'must be at least 1'],
    ['a number too large', z.number().max(100), 101, 'must be at most 100'],
    ['a number not above the bound', z.number().gt(0), 0, 'must be greater than 0'],
    ['a number not below the bound', z.number().lt(10), 10, 'must be less than 10'],
    ['a number out of the safe range', z.number().int(), 2 ** 60, 'must be at most 9007199254740991'],
    ['a number that is no multiple', z.number().multipleOf(5), 7, 'must be a multiple of 5'],
    ['a value not among the choices', z.enum(['block', 'unblock']), 'mute', 'must be one of "block", "unblock"'],
    ['a value other than the only choice', z.literal('subscribe'), 'unsubscribe', 'must be "subscribe"'],
    ['a number other than the only choice', z.literal(1), 2, 'must be 1'],
    ['a string not matching a pattern', z.string().regex(/^\d+$/), 'abc', 'is not in the expected format'],
    ['an invalid e-mail address', z.email(), 'abc', 'must be a valid email address'],
    ['an invalid URL', z.url(), 'abc', 'must be a valid URL'],
    ['an invalid UUID', z.uuid(), 'abc', 'must be a valid UUID'],
    ['an invalid date and time', z.iso.datetime(), 'abc', 'must be a valid date and time (ISO 8601)'],
    ['a string with the wrong start', z.string().startsWith('sha256='), 'md5=1', 'must start with "sha256="'],
    ['a string with the wrong end', z.string().endsWith('.json'), 'a.txt', 'must end with ".json"'],
    ['a string missing a part', z.string().includes('@'), 'a', 'must contain "@"'],
    ['a value of none of the forms', z.union([z.string(), z.number()]), null, 'must be one of the accepted forms'],
    ['an invalid key of a record', z.record(z.string().max(1), z.string()), { abc: 'x' }, 'is not an accepted key'],
    ['a refinement without words of its own', z.string().refine(() => false), 'a', 'is not valid'],
  ])('words %s in the project\'s own words', (_label, schema, value, message) => {
    expect(messageFor(schema, value)).toBe(message);
  });

  it('names unknown fields', () => {
    expect(messageFor(z.strictObject({ reason: z.string() }), { reason: 'r', channel: 'sms', force: true })).toBe('has unknown fields: channel, force');
  });

  it('keeps the words a schema gives itself', () => {
    expect(messageFor(z.string().regex(/^\d+$/, 'must be digits'), 'abc')).toBe('must be digits');
    expect(messageFor(z.string().refine(() => false, 'must be well-formed'), 'a')).toBe('must be well-formed');
  });

  it('words the errors of the service\'s own schemas without zod\'s default words', () => {
    // prepare
    const zodDefaults = /^(Invalid|Too small|Too big|Unrecognized|Expected)/;
    const cases: [z.core.$ZodType, unknown][] = [
      [pageQuery(), { limit: '0' }],
      [pageQuery(), { limit: 'ten' }],
      [pageQuery(), { limit: '2.5' }],
      [pageQuery(), { cursor: '' }],
      [pageQuery(), { cursor: 'a'.repeat(2049) }],
      [pageQuery(), { order: 'asc' }],
      [z.object({ phone: phoneInput() }), { phone: 420777123456 }],
      [z.object({ phone: phoneInput() }), {}],
    ];

    // act
    const messages = cases.flatMap(([schema, value]) => (thrownBy(() => parseWith(schema, value, 'query')) as InvalidInputError).errors.map((e) => e.message));

    // assess
    expect(messages).toHaveLength(cases.length);
    for (const message of messages) expect(message).not.toMatch(zodDefaults);
  });
});

describe('phoneInput', () => {
  it.each(['+420 777 123 456', '00420777123456', '+420777123456', '420777123456'])('reads %j as +420777123456', (input) => {
    expect(phoneInput().parse(input)).toBe('+420777123456');
  });

  it('refuses a number that cannot be parsed, with the reason on the field', () => {
    const error = thrownBy(() => pathParameters({ ...httpEvent(), pathParameters: { phone: '777 123 456' } }, z.object({ phone: phoneInput() })));

    expect(error).toMatchObject({ status: 400, errors: [{ field: 'path.phone', message: 'is not a valid international phone number' }] });
  });
});

describe('pageQuery', () => {
  function page(query?: Record<string, string>) {
    return queryParameters(httpEvent(query ? { query } : {}), pageQuery());
  }

  it('defaults the limit to 20', () => {
    expect(page()).toEqual({ limit: 20 });
  });

  it.each([
    ['1', 1],
    ['100', 100],
    ['37', 37],
  ])('reads the limit %j as %i', (limit, expected) => {
    expect(page({ limit })).toEqual({ limit: expected });
  });

  it.each(['0', '101', '-1', '2.5', 'ten', ''])('refuses the limit %j with a 400 on query.limit', (limit) => {
    const error = thrownBy(() => page({ limit }));

    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).errors.map((fieldError) => fieldError.field)).toEqual(['query.limit']);
  });

  it('passes the cursor through', () => {
    expect(page({ limit: '5', cursor: 'abc' })).toEqual({ limit: 5, cursor: 'abc' });
  });

  it('refuses an unknown query parameter', () => {
    expect(thrownBy(() => page({ limt: '5' }))).toMatchObject({ status: 400, errors: [{ field: 'query', message: 'has unknown fields: limt' }] });
  });
});

describe('parseWith', () => {
  it('prefixes each field with where the value came from', () => {
    const error = thrownBy(() => parseWith(z.string().max(3), 'too long', 'header.idempotency-key'));

    expect(error).toMatchObject({ status: 400, errors: [{ field: 'header.idempotency-key' }] });
  });
});

describe('header', () => {
  it('reads a header by its name in any case, as normalised to lower case', () => {
    expect(header(httpEvent({ headers: { 'idempotency-key': 'k-1' } }), 'Idempotency-Key')).toBe('k-1');
  });
});
