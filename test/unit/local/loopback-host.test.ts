import { isLoopbackHost } from '../../../infra/local/loopback-host.js';

/**
 * The local stack's `Host` check: a page on another origin whose name resolves to 127.0.0.1 (DNS
 * rebinding) reaches the stack with its own name in `Host`, and must be turned away.
 */
describe('isLoopbackHost', () => {
  it.each([
    'localhost',
    'localhost:3000',
    'LOCALHOST:3000',
    'console.localhost',
    'a.b-c.localhost:8080',
    '127.0.0.1',
    '127.0.0.1:3000',
    '127.1.2.3:80',
    '127.255.255.255',
    '[::1]',
    '[::1]:3000',
    '[0:0:0:0:0:0:0:1]:3000',
  ])('accepts %s', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });

  it.each([
    undefined,
    '',
    'evil.example',
    'evil.example:3000',
    'localhost.evil.example',
    'evillocalhost',
    '.localhost',
    'a..localhost',
    'localhost.',
    '127.0.0.1.evil.example',
    '127.0.0.256',
    '127.0.0',
    '128.0.0.1',
    '0.0.0.0:3000',
    '10.0.0.1',
    '[::2]',
    '[::ffff:7f00:1]',
    'localhost:3000:3000',
    'localhost:port',
    'user@localhost',
    'evil.example@localhost',
    'localhost/path',
    ' localhost',
  ])('refuses %s', (host) => {
    expect(isLoopbackHost(host)).toBe(false);
  });
});
