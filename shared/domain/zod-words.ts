import en from 'zod/v4/locales/en.js';
import type * as z from 'zod/mini';
import { onFirstUse } from './on-first-use.js';

/**
 * zod's English words for an issue that a schema does not word itself (`Invalid input: expected string,
 * received number`), for the reasons the service logs. Classic zod sets them for every schema as it
 * loads; `zod/mini` brings none, so a parse whose messages are read passes these (`{ error: zodWords() }`).
 */
export const zodWords = onFirstUse((): z.core.$ZodErrorMap => en().localeError);
