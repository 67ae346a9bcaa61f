import type { MiddlewareObj, Request } from '@middy/core';
import { PayloadTooLargeError } from '../domain/errors.js';
import type { HttpEvent, HttpResult } from './types.js';

export interface BodyLimitOptions {
  /** @default 65536 (64 KiB) */
  maxBytes?: number;
}

const defaults: Required<BodyLimitOptions> = { maxBytes: 64 * 1024 };

/** Refuses a body larger than the limit, in bytes as sent (after base64 decoding), with a 413. */
export function bodyLimit(options: BodyLimitOptions = {}): MiddlewareObj<HttpEvent, HttpResult> {
  const { maxBytes } = { ...defaults, ...options };
  const before = async (request: Request<HttpEvent, HttpResult>): Promise<void> => {
    const { body, isBase64Encoded } = request.event;
    if (body === undefined) return;
    const size = isBase64Encoded ? Buffer.byteLength(body, 'base64') : Buffer.byteLength(body, 'utf8');
    if (size > maxBytes) {
      throw new PayloadTooLargeError(`The body has ${size} bytes; at most ${maxBytes} are accepted.`);
    }
  };
  return { before };
}
