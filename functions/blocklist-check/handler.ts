import { readConfig } from '../../shared/config.js';
import { blocklistChecker, UnprocessedKeysError } from '../../shared/blocklist.js';
import { checkRequestSchema } from '../../shared/domain/blocklist-check.js';
import { ServiceUnavailableError } from '../../shared/domain/errors.js';
import { httpApi } from '../../shared/http/http-api.js';
import { authorise } from '../../shared/http/authorise.js';
import { jsonBody } from '../../shared/http/request.js';
import { json } from '../../shared/http/responses.js';
import type { RouteHandler } from '../../shared/http/types.js';
import { countCheck } from './count-check.js';

const config = readConfig(['consentTableName']);
const checker = blocklistChecker({ tableName: config.consentTableName });

/** Ten thousand numbers in any format, with room for spaces and punctuation. */
const MAX_CHECK_BODY_BYTES = 1024 * 1024;

/** `POST /blocklist/check`: which of up to 10,000 numbers a campaign may send messages of a category to. */
export const checkNumbers: RouteHandler = async (event, { caller }) => {
  authorise(caller, 'whatsapp-blocklist:check');
  const { phones, category } = jsonBody(event, checkRequestSchema());
  try {
    return json(200, countCheck(await checker.check(phones, { category })));
  } catch (error) {
    if (error instanceof UnprocessedKeysError) {
      throw new ServiceUnavailableError('The blocklist is throttled; retry the check shortly.', { cause: error });
    }
    throw error;
  }
};

export const handler = httpApi({ 'POST /blocklist/check': checkNumbers }, { maxBodyBytes: MAX_CHECK_BODY_BYTES });
