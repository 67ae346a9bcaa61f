import { readConfig } from '../../shared/config.js';
import { exportPersonalData } from '../../shared/domain/personal-data/number-records.js';
import { DynamoNumberRecords } from '../../shared/adapters/personal-data/number-records-store.js';
import { systemClock } from '../../shared/adapters/runtime.js';
import { httpApi } from '../../shared/http/http-api.js';
import { authorise } from '../../shared/http/authorise.js';
import { pathParameters } from '../../shared/http/request.js';
import { phonePath } from '../../shared/http/contract/parameters.js';
import { json } from '../../shared/http/responses.js';
import { personalDataView } from '../../shared/http/views.js';
import type { RouteHandler } from '../../shared/http/types.js';
import { logger } from '../../shared/observability.js';

const config = readConfig(['consentTableName', 'auditTableName']);
const reader = new DynamoNumberRecords(config.consentTableName, config.auditTableName);

/** `GET /numbers/{phone}/personal-data`: privacy officers read everything stored about a number. */
export const getPersonalData: RouteHandler = async (event, { caller }) => {
  authorise(caller, 'privacy:manage');
  const { phone } = pathParameters(event, phonePath());
  const data = await exportPersonalData(phone, { reader, clock: systemClock });
  // Who read a person's data, never whose: the number stays out of the logs.
  logger.info('personal data exported', { by: caller.username, historyEntries: data.history.length, requests: data.requests.length });
  return json(200, personalDataView(data));
};

export const handler = httpApi({ 'GET /numbers/{phone}/personal-data': getPersonalData });
