import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { Caller } from '../domain/caller.js';

export type HttpEvent = APIGatewayProxyEventV2WithJWTAuthorizer;
export type HttpResult = APIGatewayProxyStructuredResultV2;
export type HttpContext = Context & { caller: Caller };
export type RouteHandler = (event: HttpEvent, context: HttpContext) => Promise<HttpResult>;
/** A route that API Gateway serves without a token: there is no caller until the function proves one. */
export type PublicRouteHandler = (event: HttpEvent, context: Context) => Promise<HttpResult>;
