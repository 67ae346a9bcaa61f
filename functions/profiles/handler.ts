import { readConfig } from '../../shared/config.js';
import { deleteProfile, replaceProfile, viewNumberConsent, viewProfileConsent } from '../../shared/domain/profiles.js';
import { DynamoProfileStore } from '../../shared/adapters/profile-store.js';
import { DynamoConsentStateStore } from '../../shared/adapters/consent-state-store.js';
import { DynamoRequestStore } from '../../shared/adapters/request-store.js';
import { DynamoAuditReader } from '../../shared/adapters/audit-reader.js';
import { systemClock } from '../../shared/adapters/runtime.js';
import { httpApi } from '../../shared/http/http-api.js';
import { authorise } from '../../shared/http/authorise.js';
import { jsonBody, pathParameters } from '../../shared/http/request.js';
import { profileBody } from '../../shared/http/contract/bodies.js';
import { phonePath, profilePath } from '../../shared/http/contract/parameters.js';
import { json, noContent } from '../../shared/http/responses.js';
import type { RouteHandler } from '../../shared/http/types.js';

const config = readConfig(['consentTableName', 'auditTableName']);
const profiles = new DynamoProfileStore(config.consentTableName);
const states = new DynamoConsentStateStore(config.consentTableName);
const requests = new DynamoRequestStore(config.consentTableName);
const changes = new DynamoAuditReader(config.auditTableName);

/** `PUT /profiles/{profileId}`: profile admins replace the profile's WhatsApp numbers. */
export const putProfile: RouteHandler = async (event, { caller }) => {
  authorise(caller, 'profiles:write');
  const { profileId } = pathParameters(event, profilePath());
  const { whatsappNumbers } = jsonBody(event, profileBody());
  const profile = await replaceProfile(caller, { profileId, whatsappNumbers }, { profiles, clock: systemClock });
  return json(200, profile);
};

/** `DELETE /profiles/{profileId}`: profile admins delete a profile and its list; its numbers keep their consent. */
export const removeProfile: RouteHandler = async (event, { caller }) => {
  authorise(caller, 'profiles:write');
  const { profileId } = pathParameters(event, profilePath());
  await deleteProfile(profileId, { profiles });
  return noContent();
};

/** `GET /profiles/{profileId}/whatsapp`: the profile's numbers with their consent and pending requests. */
export const getProfileConsent: RouteHandler = async (event, { caller }) => {
  authorise(caller, 'consent:read');
  const { profileId } = pathParameters(event, profilePath());
  return json(200, await viewProfileConsent(profileId, { profiles, states, requests, changes }));
};

/** `GET /numbers/{phone}`: one number's consent and pending requests, whichever profiles hold it. */
export const getNumberConsent: RouteHandler = async (event, { caller }) => {
  authorise(caller, 'consent:read');
  const { phone } = pathParameters(event, phonePath());
  return json(200, await viewNumberConsent(phone, { states, requests, changes }));
};

export const handler = httpApi({
  'PUT /profiles/{profileId}': putProfile,
  'DELETE /profiles/{profileId}': removeProfile,
  'GET /profiles/{profileId}/whatsapp': getProfileConsent,
  'GET /numbers/{phone}': getNumberConsent,
});
