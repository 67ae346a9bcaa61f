import type { FieldError } from '../../shared/domain/errors.js';
import { header, rawBody, UnsupportedMediaTypeError } from '../../shared/http/request.js';
import type { HttpEvent } from '../../shared/http/types.js';

/** The API's 415, worded for an import, which is a CSV file and nothing else. */
export class NotCsvError extends UnsupportedMediaTypeError {
  override readonly errors: FieldError[] = [{ field: 'header.content-type', message: 'must be text/csv, in UTF-8' }];

  constructor() {
    super();
    this.message = 'The body must be a CSV file, sent with Content-Type: text/csv.';
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
