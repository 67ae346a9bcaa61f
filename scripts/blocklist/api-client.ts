import { setTimeout as delay } from 'node:timers/promises';

/** An answer of the API that the command cannot go on from: a 4xx, or a 5xx that kept coming. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: { title?: string; detail?: string; errors?: { field: string; message: string }[] } | undefined,
    what: string,
  ) {
    super(`${what}: ${status} ${problem?.title ?? ''}${problem?.detail ? `. ${problem.detail}` : ''}${(problem?.errors ?? []).map((error) => `\n  ${error.field} ${error.message}`).join('')}`);
    this.name = 'ApiError';
  }
}

export interface ApiClientOptions {
  url: string;
  token: string;
  /** Tries of a call that fails with a 5xx or on the network, a growing pause apart. @default 8 */
  attempts?: number;
}

export interface ApiResponse {
  status: number;
  body: any;
}

/**
 * The service's HTTP API as the command calls it: a bearer token on every call, JSON answers, and a
 * call that fails with a 5xx or on the network tried again (uploads carry an `Idempotency-Key`, so a
 * repeat is the same import). A 4xx is answered as it is, for the caller to judge.
 */
export function apiClient({ url, token, attempts = 8 }: ApiClientOptions) {
  const base = url.replace(/\/+$/, '');
  async function call(method: string, path: string, init: { body?: Uint8Array; headers?: Record<string, string> } = {}): Promise<ApiResponse> {
    let last: unknown;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (attempt > 1) await delay(Math.min(10_000, 250 * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2));
      try {
        const response = await fetch(`${base}${path}`, {
          method,
          headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...init.headers },
          ...(init.body ? { body: init.body } : {}),
        });
        const text = await response.text();
        const body = text && /json/.test(response.headers.get('content-type') ?? '') ? JSON.parse(text) : text;
        if (response.status < 500) return { status: response.status, body };
        last = new ApiError(response.status, typeof body === 'object' ? body : undefined, `${method} ${path}`);
      } catch (error) {
        last = error;
      }
    }
    throw last;
  }
  return {
    get: (path: string) => call('GET', path),
    post: (path: string, body: Uint8Array, headers: Record<string, string>) => call('POST', path, { body, headers }),
  };
}

export type ApiClient = ReturnType<typeof apiClient>;

/** The answer's body, or an {@link ApiError} when its status is not the one expected. */
export function expectStatus(response: ApiResponse, status: number, what: string): any {
  if (response.status !== status) throw new ApiError(response.status, typeof response.body === 'object' ? response.body : undefined, what);
  return response.body;
}
