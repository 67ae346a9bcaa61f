import { readFileSync } from 'node:fs';
import { stack } from '../support/http-client.js';

/**
 * The local stack is reachable from this machine only: the API, DynamoDB Local and the SQS emulator all
 * listen on the loopback interface, so nobody on the network can write consent state or events past
 * the API's tokens and the webhook's signature. Read from the kernel's socket tables (Linux).
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
