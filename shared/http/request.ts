import * as z from 'zod/mini';
import { DomainError, InvalidInputError, type FieldError } from '../domain/errors.js';
import { utf8Text } from '../domain/text.js';
import { fieldMessage } from './field-messages.js';
import type { HttpEvent } from './types.js';

/**
 * Validates a value with a schema; every issue becomes one entry of the 400's `errors`, worded by
 * `fieldMessage` wherever the schema did not word it itself.
 */
export function parseWith<S extends z.core.$ZodType>(schema: S, value: unknown, location: string): z.output<S> {
  const result = z.safeParse(schema, value, { error: fieldMessage });
  if (result.success) return result.data;
  throw new InvalidInputError(result.error.issues.map((issue) => fieldError(location, issue)));
}

function fieldError(location: string, issue: z.core.$ZodIssue): FieldError {
  return { field: [location, ...issue.path.map(String)].join('.'), message: issue.message };
}

/** The body's bytes as the client sent them (API Gateway base64-encodes bodies it deems binary). */
export function rawBody(event: HttpEvent): Buffer {
  if (event.body === undefined) return Buffer.alloc(0);
  return Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
}

/** A 415: the body is in a media type the route does not read. */
export class UnsupportedMediaTypeError extends DomainError {
  readonly status = 415;
  readonly type = '/problems/unsupported-media-type';
  readonly title = 'Unsupported media type';
  override readonly errors: FieldError[] = [{ field: 'header.content-type', message: 'must be application/json (or a +json type), in UTF-8' }];

  constructor() {
    super('The body must be JSON, sent with Content-Type: application/json.');
  }
}

/** `application/json` and the structured `+json` types (`application/merge-patch+json`), in any case. */
const JSON_MEDIA_TYPE = /^application\/(?:[a-z0-9!#$&^_.+-]+\+)?json$/i;

/**
 * Whether a Content-Type header declares JSON. Parameters are allowed, but a charset other than UTF-8 is
 * not: the body is read as UTF-8 (RFC 8259), so JSON in another charset would be misread.
 */
export function declaresJson(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const [essence = '', ...parameters] = contentType.split(';');
  if (!JSON_MEDIA_TYPE.test(essence.trim())) return false;
  return parameters.every((parameter) => {
    const [name = '', value = ''] = parameter.split('=').map((part) => part.trim());
    return name.toLowerCase() !== 'charset' || /^"?utf-8"?$/i.test(value);
  });
}

/** The deepest nesting of arrays and objects a body may have; the service's own bodies need a handful. */
export const MAX_JSON_DEPTH = 32;

/**
 * The JSON body, parsed with the route's schema. A missing body and malformed JSON are 400s, never 500s;
 * a body not declared as JSON is a 415, whatever its bytes hold. Only routes that take a body call this,
 * so routes without one ignore the Content-Type.
 */
export function jsonBody<S extends z.core.$ZodType>(event: HttpEvent, schema: S): z.output<S> {
  const bytes = rawBody(event);
  const notJson = () => new InvalidInputError([{ field: 'body', message: 'must be a JSON document' }], 'The body is not valid JSON.');
  if (bytes.length === 0) throw notJson();
  if (!declaresJson(header(event, 'content-type'))) throw new UnsupportedMediaTypeError();
  const text = utf8Text(bytes);
  if (text === undefined) throw new InvalidInputError([{ field: 'body', message: 'must be UTF-8' }], 'The body is not valid UTF-8.');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw notJson();
  }
  return parseDocument(schema, value, 'body');
}

/**
 * A parsed JSON document (a body, a direct invocation's event), with the schema: arrays and objects
 * nested deeper than `MAX_JSON_DEPTH` are refused before the schema sees them.
 */
export function parseDocument<S extends z.core.$ZodType>(schema: S, value: unknown, location: string): z.output<S> {
  if (nestsDeeperThan(value, MAX_JSON_DEPTH)) {
    throw new InvalidInputError([{ field: location, message: `must not nest arrays and objects more than ${MAX_JSON_DEPTH} levels deep` }]);
  }
  return parseWith(schema, value, location);
}

/**
 * Whether arrays and objects nest deeper than `levels` (the outermost is level 1). Walked without
 * recursion: a body of a million brackets must be refused, not overflow the stack here or later, when a
 * value taken from it is written into a response.
 */
function nestsDeeperThan(value: unknown, levels: number): boolean {
  const pending: [unknown, number][] = [[value, 1]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [item, level] = next;
    if (typeof item !== 'object' || item === null) continue;
    if (level > levels) return true;
    for (const child of Array.isArray(item) ? item : Object.values(item)) pending.push([child, level + 1]);
  }
  return false;
}

export function pathParameters<S extends z.core.$ZodType>(event: HttpEvent, schema: S): z.output<S> {
  return parseWith(schema, event.pathParameters ?? {}, 'path');
}

export function queryParameters<S extends z.core.$ZodType>(event: HttpEvent, schema: S): z.output<S> {
  return parseWith(schema, event.queryStringParameters ?? {}, 'query');
}

export function header(event: HttpEvent, name: string): string | undefined {
  return event.headers[name.toLowerCase()];
}

/** The parameters' schemas live with the API's contract, which documents them. */
export { clientIdentifier, pageQuery, phoneInput } from './contract/parameters.js';
