import { DomainError, type FieldError } from '../../shared/domain/errors.js';
import { header, rawBody } from '../../shared/http/request.js';
import type { HttpEvent } from '../../shared/http/types.js';

/** A 415: an import is a CSV file, and nothing else. */
export class NotCsvError extends DomainError {
  readonly status = 415;
  readonly type = '/problems/unsupported-media-type';
  readonly title = 'Unsupported media type';
  override readonly errors: FieldError[] = [{ field: 'header.content-type', message: 'must be text/csv, in UTF-8' }];

  constructor() {
    super('The body must be a CSV file, sent with Content-Type: text/csv.');
  }
}

/**
 * Whether a Content-Type header declares CSV (`text/csv`, RFC 4180). Parameters are allowed (`header=present`),
 * but a charset other than UTF-8 is not: the file is read as UTF-8.
 */
export function declaresCsv(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const [essence = '', ...parameters] = contentType.split(';');
  if (essence.trim().toLowerCase() !== 'text/csv') return false;
  return parameters.every((parameter) => {
    const [name = '', value = ''] = parameter.split('=').map((part) => part.trim());
    return name.toLowerCase() !== 'charset' || /^"?utf-8"?$/i.test(value);
  });
}

/** The body's bytes, as sent, if it is declared as CSV (a 415 otherwise); an empty body is the reader's 400. */
export function csvBody(event: HttpEvent): Uint8Array {
  if (!declaresCsv(header(event, 'content-type'))) throw new NotCsvError();
  return rawBody(event);
}
