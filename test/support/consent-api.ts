import { randomInt, randomUUID } from 'node:crypto';
import { apiEvent, editor, invoke, profileAdmin, type ApiHandler } from './api-events.js';

type Handlers = { profiles: { handler: ApiHandler }; requests: { handler: ApiHandler } };

/**
 * Every test file has a module registry of its own, so a counter alone would repeat across files that
 * share one stack; a random offset per file keeps their numbers apart.
 */
let next = randomInt(10_000_000);
/** A valid Czech mobile number, unique across the test files of a run. */
export function uniquePhone(): string {
  next = (next + 1) % 10_000_000;
  return `+42077${String(next).padStart(7, '0')}`;
}

/** Drives the API handlers directly, as API Gateway would, for tests that need requests in the system. */
export function consentApi({ profiles, requests }: Handlers) {
  return {
    async createProfile(numbers: string[]): Promise<string> {
      const profileId = `p-${randomUUID()}`;
      const response = await invoke(profiles.handler, apiEvent('PUT /profiles/{profileId}', { pathParameters: { profileId }, body: { whatsappNumbers: numbers }, caller: profileAdmin }));
      if (response.status !== 200) throw new Error(`profile not created: ${JSON.stringify(response.body)}`);
      return profileId;
    },
    async request(action: 'block' | 'unblock', profileId: string, phone: string, reason = `${action} in a test`): Promise<string> {
      const response = await invoke(
        requests.handler,
        apiEvent(`POST /profiles/{profileId}/whatsapp/{phone}/${action}`, { pathParameters: { profileId, phone }, body: { reason }, caller: editor }),
      );
      if (response.status !== 202) throw new Error(`request not accepted: ${JSON.stringify(response.body)}`);
      return response.body.requestId as string;
    },
    async requestStatus(requestId: string): Promise<string> {
      const response = await invoke(requests.handler, apiEvent('GET /requests/{requestId}', { pathParameters: { requestId } }));
      return response.body.status as string;
    },
    async view(profileId: string) {
      const response = await invoke(profiles.handler, apiEvent('GET /profiles/{profileId}/whatsapp', { pathParameters: { profileId } }));
      return response.body as { numbers: { phone: string; blocked: boolean; pending: unknown[] }[] };
    },
  };
}
