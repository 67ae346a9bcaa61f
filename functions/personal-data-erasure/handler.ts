import { readConfig } from '../../shared/config.js';
import { erasePersonalData } from '../../shared/domain/personal-data/erase-personal-data.js';
import { DynamoConsentStateStore } from '../../shared/adapters/consent-state-store.js';
import { DynamoErasureLog, erasureLogKeyFrom } from '../../shared/adapters/personal-data/erasure-log.js';
import { DynamoNumberEraser } from '../../shared/adapters/personal-data/number-eraser.js';
import { DynamoNumberRecords } from '../../shared/adapters/personal-data/number-records-store.js';
import { newId, systemClock } from '../../shared/adapters/runtime.js';
import { httpApi } from '../../shared/http/http-api.js';
import { authorise } from '../../shared/http/authorise.js';
import { jsonBody, pathParameters } from '../../shared/http/request.js';
import { erasureBody } from '../../shared/http/contract/bodies.js';
import { phonePath } from '../../shared/http/contract/parameters.js';
import { json } from '../../shared/http/responses.js';
import type { RouteHandler } from '../../shared/http/types.js';
import { logger } from '../../shared/observability.js';

/*
 * The one function whose role may delete history entries (README, "A person's data"): it runs this
 * route and nothing else.
 */
const config = readConfig(['consentTableName', 'auditTableName', 'erasureLogSecretId', 'erasureLogKey']);
const deps = {
  reader: new DynamoNumberRecords(config.consentTableName, config.auditTableName),
  eraser: new DynamoNumberEraser(config.consentTableName, config.auditTableName, systemClock),
  states: new DynamoConsentStateStore(config.consentTableName),
  log: new DynamoErasureLog(config.auditTableName, erasureLogKeyFrom(config)),
  clock: systemClock,
  newId,
};

/** `POST /numbers/{phone}/erase`: privacy officers erase what is stored about a number, keeping only its objection. */
export const erase: RouteHandler = async (event, { caller }) => {
  authorise(caller, 'privacy:manage');
  const { phone } = pathParameters(event, phonePath());
  const { reason } = jsonBody(event, erasureBody());
  const erasure = await erasePersonalData(caller, { phone, reason }, deps);
  // Who erased, and how much, never whose: the number stays out of the logs.
  logger.info('personal data erased', { by: caller.username, deleted: erasure.deleted, suppressionKept: erasure.suppressionKept });
  return json(200, erasure);
};

export const handler = httpApi({ 'POST /numbers/{phone}/erase': erase });
