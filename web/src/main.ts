import type { Auth } from './auth/auth.js';
import { CognitoAuth } from './auth/cognito-auth.js';
import { LocalAuth } from './auth/local-auth.js';
import { loadConfig } from './config.js';
import './elements/consent-console.js';

/**
 * Boots the console: reads this deployment's `config.json`, finishes a sign-in that came back from
 * Cognito, and mounts the shell.
 */
async function boot(): Promise<void> {
  const config = await loadConfig();
  const auth: Auth = config.auth.kind === 'local' ? new LocalAuth(config.auth) : new CognitoAuth(config.auth);
  const returnTo = await auth.start();
  if (returnTo) history.replaceState(null, '', returnTo);
  const shell = document.createElement('consent-console');
  shell.config = config;
  shell.auth = auth;
  document.body.replaceChildren(shell);
}

boot().catch((error: unknown) => {
  const message = document.createElement('p');
  message.setAttribute('role', 'alert');
  message.textContent = `The console could not start: ${error instanceof Error ? error.message : String(error)}`;
  document.body.replaceChildren(message);
});
