import { NotFoundError } from '../../../shared/domain/errors.js';
import { routeByKey } from '../../../shared/http/router.js';
import type { HttpResult } from '../../../shared/http/types.js';
import { httpEvent, lambdaContext } from '../support/samples.js';

const FOUND: HttpResult = { statusCode: 200, body: 'found' };

describe('routeByKey', () => {
  const route = routeByKey({ 'GET /profiles/{profileId}/whatsapp': async () => FOUND });

  it('dispatches on the routeKey', async () => {
    expect(await route(httpEvent({ routeKey: 'GET /profiles/{profileId}/whatsapp' }), lambdaContext())).toEqual(FOUND);
  });

  it.each(['POST /profiles/{profileId}/whatsapp', 'GET /profiles/{profileId}', '$default', 'toString', '__proto__', 'constructor'])(
    'answers the unknown routeKey %j with a 404',
    async (routeKey) => {
      const routing = route(httpEvent({ routeKey }), lambdaContext());

      await expect(routing).rejects.toThrow(NotFoundError);
      await expect(routing).rejects.toMatchObject({ status: 404, message: `No route ${routeKey}.` });
    },
  );
});
