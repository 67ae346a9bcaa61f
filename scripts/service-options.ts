/** Where the command-line tools find the service, unless told otherwise: the local stack. */
export const LOCAL_API = 'http://127.0.0.1:3000';

/** The service's URL: `--api` (or its older name `--url`), else `API_URL`, else the local stack. */
export function serviceUrl(options: { api?: string | undefined; url?: string | undefined }): string {
  return options.api ?? options.url ?? process.env['API_URL'] ?? LOCAL_API;
}

/** An access token of the service: `--token`, else `API_TOKEN` (or a tool's older variable). */
export function serviceToken(options: { token?: string | undefined }, olderVariable?: string): string | undefined {
  return options.token ?? process.env['API_TOKEN'] ?? (olderVariable ? process.env[olderVariable] : undefined);
}
