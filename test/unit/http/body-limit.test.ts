import middy from '@middy/core';
import { PayloadTooLargeError } from '../../../shared/domain/errors.js';
import { bodyLimit, type BodyLimitOptions } from '../../../shared/http/body-limit.js';
import type { HttpContext, HttpEvent, HttpResult } from '../../../shared/http/types.js';
import { invoke, OK } from '../support/middy.js';
import { httpEvent } from '../support/samples.js';

const KIB_64 = 64 * 1024;

function limited(options?: BodyLimitOptions) {
  let calls = 0;
  const handler = middy<HttpEvent, HttpResult, Error, HttpContext>(async () => {
    calls += 1;
    return OK;
  }).use(bodyLimit(options));
  return { handler, calls: () => calls };
}

async function expectTooLarge(response: Promise<HttpResult>, bytes: number, maxBytes = KIB_64): Promise<void> {
  await expect(response).rejects.toThrow(PayloadTooLargeError);
  await expect(response).rejects.toMatchObject({ status: 413, message: `The body has ${bytes} bytes; at most ${maxBytes} are accepted.` });
}

describe('bodyLimit', () => {
  it('lets a request without a body through', async () => {
    const { handler } = limited();

    expect(await invoke(handler, httpEvent())).toEqual(OK);
  });

  it('lets a body of exactly 64 KiB through', async () => {
    const { handler } = limited();

    expect(await invoke(handler, httpEvent({ body: 'a'.repeat(KIB_64) }))).toEqual(OK);
  });

  it('refuses a body of 64 KiB + 1 byte with a 413, before the handler runs', async () => {
    const { handler, calls } = limited();

    await expectTooLarge(invoke(handler, httpEvent({ body: 'a'.repeat(KIB_64 + 1) })), KIB_64 + 1);
    expect(calls()).toBe(0);
  });

  it('counts multi-byte UTF-8 characters in bytes, not characters', async () => {
    const { handler } = limited();

    // é is 2 bytes, 😀 is 4 bytes (2 UTF-16 units) in UTF-8.
    expect(await invoke(handler, httpEvent({ body: 'é'.repeat(KIB_64 / 2) }))).toEqual(OK);
    expect(await invoke(handler, httpEvent({ body: '😀'.repeat(KIB_64 / 4) }))).toEqual(OK);
    await expectTooLarge(invoke(handler, httpEvent({ body: `${'é'.repeat(KIB_64 / 2)}a` })), KIB_64 + 1);
    await expectTooLarge(invoke(handler, httpEvent({ body: 'é'.repeat(KIB_64 / 2 + 1) })), KIB_64 + 2);
  });

  it('measures a base64-encoded body after decoding', async () => {
    const { handler } = limited();
    const exactly = Buffer.alloc(KIB_64, 0xff).toString('base64');
    const oneOver = Buffer.alloc(KIB_64 + 1, 0xff).toString('base64');

    expect(exactly.length).toBeGreaterThan(KIB_64);
    expect(await invoke(handler, httpEvent({ body: exactly, isBase64Encoded: true }))).toEqual(OK);
    await expectTooLarge(invoke(handler, httpEvent({ body: oneOver, isBase64Encoded: true })), KIB_64 + 1);
  });

  it('takes another limit from its options', async () => {
    const { handler } = limited({ maxBytes: 1024 * 1024 });

    expect(await invoke(handler, httpEvent({ body: 'a'.repeat(1024 * 1024) }))).toEqual(OK);
    await expectTooLarge(invoke(handler, httpEvent({ body: 'a'.repeat(1024 * 1024 + 1) })), 1024 * 1024 + 1, 1024 * 1024);
  });
});
