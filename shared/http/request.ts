import * as z from 'zod';
import { InvalidInputError, type FieldError } from '../domain/errors.js';
import { normalisePhone, type E164 } from '../domain/phone.js';
import type { HttpEvent } from './types.js';

/** Validates a value with a schema; every issue becomes one entry of the 400's `errors`. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, location: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new InvalidInputError(result.error.issues.map((issue) => fieldError(location, issue)));
}

function fieldError(location: string, issue: z.core.$ZodIssue): FieldError {
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    return { field: [location, ...path].join('.'), message: `has unknown fields: ${issue.keys.join(', ')}` };
  }
  return { field: [location, ...path].join('.'), message: issue.message };
}

/** The body's bytes as the client sent them (API Gateway base64-encodes bodies it deems binary). */
export function rawBody(event: HttpEvent): Buffer {
  if (event.body === undefined) return Buffer.alloc(0);
  return Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
}

/** The JSON body, parsed with the route's schema. Malformed JSON is a 400, never a 500. */
export function jsonBody<S extends z.ZodType>(event: HttpEvent, schema: S): z.output<S> {
  let value: unknown;
  try {
    value = JSON.parse(rawBody(event).toString('utf8'));
  } catch {
    throw new InvalidInputError([{ field: 'body', message: 'must be a JSON document' }], 'The body is not valid JSON.');
  }
  return parseWith(schema, value, 'body');
}

export function pathParameters<S extends z.ZodType>(event: HttpEvent, schema: S): z.output<S> {
  return parseWith(schema, event.pathParameters ?? {}, 'path');
}

export function queryParameters<S extends z.ZodType>(event: HttpEvent, schema: S): z.output<S> {
  return parseWith(schema, event.queryStringParameters ?? {}, 'query');
}

export function header(event: HttpEvent, name: string): string | undefined {
  return event.headers[name.toLowerCase()];
}

/**
 * A phone number written by a client, in any international form, normalised to E.164. In paths the `+`
 * may be left out; API Gateway has already percent-decoded path parameters, so they are not decoded again.
 */
export const phoneInput = z.string().transform((value, ctx): E164 => {
  const result = normalisePhone(value);
  if (!result.ok) {
    ctx.addIssue({ code: 'custom', message: result.reason });
    return z.NEVER;
  }
  return result.phone;
});

/** Identifiers chosen by clients (profile ids): printable, URL-safe, bounded. */
export const clientIdentifier = z
  .string()
  .regex(/^[A-Za-z0-9._~:@-]{1,128}$/, 'must be 1 to 128 letters, digits or . _ ~ : @ -');

export const pageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().min(1).max(2048).optional(),
});
