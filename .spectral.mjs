// Spectral's rules for openapi.json (`npm run lint`): the OpenAPI ruleset and OWASP's API Security
// Top 10 ruleset. openapi.json is generated (`npm run openapi`): fix a finding in
// shared/http/contract/, not in the file. Every rule below that is narrowed or turned off says why.
import owasp from '@stoplight/spectral-owasp-ruleset';
import { oas } from '@stoplight/spectral-rulesets';

/** Where a request's values are described: parameters, and request bodies (references followed). */
const REQUEST_PARTS = ['$.paths[*].parameters[*]', '$.paths[*][*].parameters[*]', '$.paths[*][*].requestBody'];

/** An OWASP rule applied to the schemas of requests only (`type` as in its own aliases, OpenAPI 3.1 lists too). */
function onRequests(name, type) {
  const given = REQUEST_PARTS.flatMap((part) => [
    `${part}..[?(@ && @.type=="${type}")]`,
    `${part}..[?(@ && @.type && @.type.constructor.name === "Array" && @.type.includes("${type}"))]`,
  ]);
  return { ...owasp.rules[name], given };
}

export default {
  extends: [oas, owasp],
  rules: {
    // Narrowed to requests: a limit protects the API from what it is sent. What it answers is bounded by
    // those limits (page sizes, 20 numbers a profile, 10,000 a check) and by what it stored, never by
    // what a client sends, so a response-side limit would state nothing a client can rely on.
    'owasp:api4:2023-string-limit': onRequests('owasp:api4:2023-string-limit', 'string'),
    'owasp:api4:2023-array-limit': onRequests('owasp:api4:2023-array-limit', 'array'),
    // Off: a pattern or format for every string. Phone numbers in any written form, opaque cursors,
    // Meta's verify token and people's reasons have none that the handlers check, and a pattern they do
    // not apply would misstate the contract; their length is bounded (string-limit, above).
    'owasp:api4:2023-string-restricted': 'off',
    // Off: rate-limit headers on every answer. API Gateway HTTP APIs send none; the 429 they answer when
    // a throttle is reached is documented on every route (rate-limit-responses-429 stays on).
    'owasp:api4:2023-rate-limit': 'off',
    // Off: `Access-Control-Allow-Origin` on each response. CORS is set on the whole API in AWS (the
    // console's origin alone, infra/stack.ts) and the header is sent to that origin only; info.description
    // says so. The local stack serves the console from its own origin and sends none.
    'owasp:api8:2023-define-cors-origin': 'off',
    // Off: Spectral accepts a security requirement's list only as OAuth scopes; OpenAPI 3.1 lets any
    // scheme list roles, and the bearer requirements list permissions. Redocly's security-defined still
    // checks that every requirement names a scheme of the document.
    'oas3-operation-security-defined': 'off',
    // Off: the service has no contact published for its API yet; add info.contact, then drop this line.
    'info-contact': 'off',
  },
  overrides: [
    {
      // The local stack listens on loopback, without TLS; the deployed API is HTTPS only.
      files: ['openapi.json#/servers/0'],
      rules: { 'owasp:api8:2023-no-server-http': 'off' },
    },
    {
      // Public by design, and take no input: the liveness probe and the contract itself.
      files: ['openapi.json#/paths/~1health/get', 'openapi.json#/paths/~1openapi.json/get'],
      rules: { 'owasp:api2:2023-read-restricted': 'off', 'owasp:api8:2023-define-error-responses-401': 'off', 'owasp:api8:2023-define-error-validation': 'off' },
    },
    {
      // Meta's subscription handshake: Meta sends the verify token in the query, and a wrong one is 403,
      // as Meta's protocol has it.
      files: ['openapi.json#/paths/~1webhooks~1whatsapp/get'],
      rules: { 'owasp:api2:2023-read-restricted': 'off', 'owasp:api8:2023-define-error-responses-401': 'off', 'owasp:api2:2023-no-credentials-in-url': 'off' },
    },
    {
      // Meta's callbacks: a signed body is answered 200 whatever it holds (Meta retries anything else);
      // only the signature is refused, with 401.
      files: ['openapi.json#/paths/~1webhooks~1whatsapp/post'],
      rules: { 'owasp:api8:2023-define-error-validation': 'off' },
    },
  ],
};
