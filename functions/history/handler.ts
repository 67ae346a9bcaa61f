import { readConfig } from '../../shared/config.js';
import { NotFoundError } from '../../shared/domain/errors.js';
import type { AuditEntry, Page } from '../../shared/domain/records.js';
import { DynamoAuditReader } from '../../shared/adapters/audit-reader.js';
import { DynamoProfileStore } from '../../shared/adapters/profile-store.js';
import { httpApi } from '../../shared/http/http-api.js';
import { authorise } from '../../shared/http/authorise.js';
import { pathParameters, queryParameters } from '../../shared/http/request.js';
import { pageQuery, phonePath, profilePath } from '../../shared/http/contract/parameters.js';
import { json } from '../../shared/http/responses.js';
import { historyEntryView } from '../../shared/http/views.js';
import type { RouteHandler } from '../../shared/http/types.js';

const config = readConfig(['consentTableName', 'auditTableName']);
const audit = new DynamoAuditReader(config.auditTableName);
const profiles = new DynamoProfileStore(config.consentTableName);

function page({ items, nextCursor }: Page<AuditEntry>) {
  return { items: items.map(historyEntryView), nextCursor };
}

/**
 * `GET /profiles/{profileId}/whatsapp/history`: changes made on the profile's page, newest first. A
 * deleted profile keeps its history; an id that no profile has and no entry names is a 404.
 */
export const profileHistory: RouteHandler = async (event, { caller }) => {
  authorise(caller, 'consent:read');
  const { profileId } = pathParameters(event, profilePath());
  const query = queryParameters(event, pageQuery());
  const found = await audit.byProfile(profileId, query);
  if (found.items.length === 0 && query.cursor === undefined && !(await profiles.get(profileId))) {
    throw new NotFoundError(`Profile ${profileId} does not exist, and has no history.`);
  }
  return json(200, page(found));
};

/** `GET /numbers/{phone}/history`: everything that happened to one number, across profiles and the provider. */
export const numberHistory: RouteHandler = async (event, { caller }) => {
  authorise(caller, 'consent:read');
  const { phone } = pathParameters(event, phonePath());
  const query = queryParameters(event, pageQuery());
  return json(200, page(await audit.byPhone(phone, query)));
};

export const handler = httpApi({
  'GET /profiles/{profileId}/whatsapp/history': profileHistory,
  'GET /numbers/{phone}/history': numberHistory,
});
