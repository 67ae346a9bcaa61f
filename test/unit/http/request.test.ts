import * as z from 'zod';
import { InvalidInputError } from '../../../shared/domain/errors.js';
import { header, jsonBody, pageQuery, parseWith, pathParameters, phoneInput, queryParameters } from '../../../shared/http/request.js';
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

describe('jsonBody', () => {
  it('parses a JSON body with the schema', () => {
    expect(jsonBody(httpEvent({ body: '{"reason":"asked by phone"}' }), reasonBody)).toEqual({ reason: 'asked by phone' });
  });

  it('decodes a base64-encoded body first', () => {
    const body = Buffer.from('{"reason":"zákazník 😀"}', 'utf8').toString('base64');

    expect(jsonBody(httpEvent({ body, isBase64Encoded: true }), reasonBody)).toEqual({ reason: 'zákazník 😀' });
  });

  it.each([
    ['malformed JSON', '{"reason":'],
    ['an empty body', ''],
    ['a body that is not JSON at all', 'reason=asked'],
  ])('refuses %s with a 400 on the field body', (_label, body) => {
    const error = thrownBy(() => jsonBody(httpEvent({ body }), reasonBody));

    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error).toMatchObject({
      status: 400,
      message: 'The body is not valid JSON.',
      errors: [{ field: 'body', message: 'must be a JSON document' }],
    });
  });

  it('refuses a missing body with a 400 on the field body', () => {
    expect(thrownBy(() => jsonBody(httpEvent(), reasonBody))).toMatchObject({ status: 400, errors: [{ field: 'body' }] });
  });

  it('refuses unknown fields of a strict object with a 400 that names them', () => {
    const error = thrownBy(() => jsonBody(httpEvent({ body: '{"reason":"r","channel":"sms","force":true}' }), reasonBody));

    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error).toMatchObject({ status: 400, errors: [{ field: 'body', message: 'has unknown fields: channel, force' }] });
  });

  it('lists every invalid field with its path', () => {
    const schema = z.strictObject({ reason: z.string().min(1), numbers: z.array(phoneInput) });

    const error = thrownBy(() => jsonBody(httpEvent({ body: '{"reason":7,"numbers":["+420777123456","nope"]}' }), schema));

    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).errors.map((fieldError) => fieldError.field)).toEqual(['body.reason', 'body.numbers.1']);
  });

  it.each(['null', '[]', '"reason"', '42'])('refuses the JSON value %s where an object is expected', (body) => {
    expect(thrownBy(() => jsonBody(httpEvent({ body }), reasonBody))).toMatchObject({ status: 400, errors: [{ field: 'body' }] });
  });
});

describe('phoneInput', () => {
  it.each(['+420 777 123 456', '00420777123456', '+420777123456', '420777123456'])('reads %j as +420777123456', (input) => {
    expect(phoneInput.parse(input)).toBe('+420777123456');
  });

  it('refuses a number that cannot be parsed, with the reason on the field', () => {
    const error = thrownBy(() => pathParameters({ ...httpEvent(), pathParameters: { phone: '777 123 456' } }, z.object({ phone: phoneInput })));

    expect(error).toMatchObject({ status: 400, errors: [{ field: 'path.phone', message: 'is not a valid international phone number' }] });
  });
});

describe('pageQuery', () => {
  function page(query?: Record<string, string>) {
    return queryParameters(httpEvent(query ? { query } : {}), pageQuery);
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
