import * as z from 'zod';
import { CONSOLE_BASE } from './base.js';

/**
 * `config.json`, beside `index.html`: written by the CDK stack at deploy time, and served by the local
 * stack, so one build runs everywhere.
 */
const configSchema = z.object({
  /** The API's base URL; empty means the console's own origin (the local stack serves both). */
  apiUrl: z.union([z.literal(''), z.url({ protocol: /^https?$/ })]),
  auth: z.discriminatedUnion('kind', [
    /** The local stack's sign-in form, which asks its token endpoint for a token. */
    z.object({ kind: z.literal('local'), tokenUrl: z.string().min(1), groups: z.array(z.string()) }),
    /** Cognito's managed login (authorisation code with PKCE). */
    z.object({
      kind: z.literal('cognito'),
      authority: z.url({ protocol: /^https$/ }),
      clientId: z.string().min(1),
      domain: z.url({ protocol: /^https$/ }),
    }),
  ]),
});

export type ConsoleConfig = z.infer<typeof configSchema>;
export type LocalAuthConfig = Extract<ConsoleConfig['auth'], { kind: 'local' }>;
export type CognitoAuthConfig = Extract<ConsoleConfig['auth'], { kind: 'cognito' }>;


export async function loadConfig(): Promise<ConsoleConfig> {
  const response = await fetch(`${CONSOLE_BASE}config.json`, { cache: 'no-store' });
  if (!response.ok) throw new Error(`config.json could not be loaded (${response.status})`);
  return configSchema.parse(await response.json());
}
