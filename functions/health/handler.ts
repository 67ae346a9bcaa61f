import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { json } from '../../shared/http/responses.js';

/** `GET /health`: the API answers. Open to anyone, so it says nothing about the system's internals. */
export const handler = async (): Promise<APIGatewayProxyStructuredResultV2> => json(200, { status: 'ok' });
