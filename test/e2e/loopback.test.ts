import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { stack } from '../support/http-client.js';

/**
 * The local stack is reachable from this machine only: the API, DynamoDB Local and the SQS emulator all
 * listen on the loopback interface, so nobody on the network can write consent state or events past
 * the API's tokens and the webhook's signature. Read from the kernel's socket tables (Linux). And the
 * stack's own server answers loopback names only, so no page of another origin reaches it by DNS rebinding.
 */

/** The local addresses of the listening TCP sockets on a port, as the kernel lists them in hex. */
function listeningAddresses(port: number): string[] {
  const addresses: string[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (!local || state !== '0A') continue; // 0A: LISTEN
      const [address, hexPort] = local.split(':');
      if (parseInt(hexPort ?? '', 16) === port) addresses.push(address ?? '');
    }
  }
  return addresses;
}

/** 127.0.0.1 in the kernel's byte order, as IPv4 or as an IPv4-mapped IPv6 address. */
const LOOPBACK = new Set(['0100007F', '0000000000000000FFFF00000100007F']);

describe('the local stack listens on loopback only', () => {
  it.each([
    ['the API', stack.url],
    ['DynamoDB Local', stack.dynamoDbEndpoint],
    ['the SQS emulator', stack.sqsEndpoint],
  ])('%s', (_, endpoint) => {
    const addresses = listeningAddresses(Number(new URL(endpoint).port));
    expect(addresses.length).toBeGreaterThan(0);
    expect(addresses.filter((address) => !LOOPBACK.has(address))).toEqual([]);
  });
});

/** One request to the local stack with the `Host` header given (fetch always sends the URL's own). */
function withHost(method: string, path: string, host: string, body?: string): Promise<{ status: number; contentType: string; body: string }> {
  return new Promise((resolve, reject) => {
    const sent = request(`${stack.url}${path}`, { method, headers: { host, ...(body === undefined ? {} : { 'content-type': 'application/json' }) } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, contentType: response.headers['content-type'] ?? '', body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    sent.on('error', reject);
    sent.end(body);
  });
}

describe('the local stack answers loopback names only', () => {
  const port = new URL(stack.url).port;
  const signIn = JSON.stringify({ user: 'erin', groups: ['whatsapp-blocklist-editors'] });

  // A page of another origin whose name resolves to 127.0.0.1 (DNS rebinding) sends its own name.
  it.each([`rebind.example:${port}`, 'rebind.example', `127.0.0.1.rebind.example:${port}`])(
    'refuses a token, the console and the API to Host %s with 421 problem+json',
    async (host) => {
      const token = await withHost('POST', '/local/token', host, signIn);
      const console = await withHost('GET', '/console/', host);
      const api = await withHost('GET', '/health', host);

      for (const response of [token, console, api]) {
        expect(response).toMatchObject({ status: 421, contentType: 'application/problem+json' });
        expect(JSON.parse(response.body)).toMatchObject({ status: 421, title: 'Misdirected Request' });
      }
      expect(token.body).not.toContain('access_token');
    },
  );

  it.each([`localhost:${port}`, `console.localhost:${port}`, `127.0.0.1:${port}`, `127.0.0.2:${port}`, `[::1]:${port}`])('serves Host %s', async (host) => {
    const token = await withHost('POST', '/local/token', host, signIn);
    const config = await withHost('GET', '/console/config.json', host);

    expect(token.status).toBe(200);
    expect(JSON.parse(token.body)).toMatchObject({ token_type: 'Bearer' });
    expect(config.status).toBe(200);
  });
});
