/** Where the console is served: by the local stack and by CloudFront alike. Vite's `base`. */
export const CONSOLE_BASE = '/console/';
