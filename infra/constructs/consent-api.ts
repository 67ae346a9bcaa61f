import { Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  LogGroupLogDestination,
  type CfnStage,
  type HttpRoute,
  type HttpStage,
  type IHttpRouteAuthorizer,
  type ThrottleSettings,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IUserPool, IUserPoolClient } from 'aws-cdk-lib/aws-cognito';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { ApiFunctionName, RouteDefinition } from '../resources.js';

/** A route as API Gateway names it in its settings and logs: `POST /webhooks/whatsapp`. */
export type RouteKey = `${RouteDefinition['method']} ${string}`;

/** A limit in requests per second: the steady rate, and the burst (the size of the token bucket). */
export type Throttle = Required<ThrottleSettings>;

/**
 * The limit of every route without one of its own: the people's routes (the console, back-office
 * clients), which people do not call at anywhere near this rate.
 */
export const STAGE_THROTTLE: Throttle = { rateLimit: 50, burstLimit: 100 };

/**
 * Routes whose callers are machines with their own pace, each with a limit of its own (API Gateway's
 * route settings), so that neither they nor the people's routes are refused for the other's traffic.
 *
 * - `POST /webhooks/whatsapp`: Meta's highest throughput tier sends 1,000 messages a second from one
 *   business number, and each message gets up to three status callbacks (sent, delivered, then read or
 *   failed): 1,000 × 3 = 3,000 callbacks a second. A refused callback is retried by Meta with growing
 *   delays, so a failure, the one callback that matters here, would block its number late. The burst
 *   of 5,000 absorbs a spike of callbacks that Meta delivers together after a delay of its own; it is
 *   also the account's default bucket, so a larger one would buy nothing.
 * - `GET /webhooks/whatsapp`: the subscription handshake, which Meta calls when the callback URL is
 *   set or changed: a few requests, never a stream. Kept low because the route is open.
 * - `POST /blocklist/check`: campaign Lambdas check up to 10,000 numbers a call before they send. A
 *   sender at Meta's 1,000 messages a second that checks batches of 100 calls 10 times a second (with
 *   full batches, once every ten seconds), so 200 a second (burst 400) serves twenty such senders at
 *   once. A full check reads 10,000 items, so DynamoDB's read capacity bounds full-size checks well
 *   before this limit does.
 *
 * All of it sits under API Gateway's account-level limit, shared by every API of the account in the
 * region: 10,000 requests a second with a burst of 5,000 by default. These routes take at most
 * 3,000 + 10 + 200 of it, plus the people's routes; another busy API in the same account and region
 * can still starve the webhook, so raise that quota (Service Quotas) before adding one.
 */
export const ROUTE_THROTTLES: Readonly<Partial<Record<RouteKey, Throttle>>> = {
  'POST /webhooks/whatsapp': { rateLimit: 3_000, burstLimit: 5_000 },
  'GET /webhooks/whatsapp': { rateLimit: 10, burstLimit: 20 },
  'POST /blocklist/check': { rateLimit: 200, burstLimit: 400 },
};

export interface ConsentApiProps {
  /** The routes to serve (`routes` in `infra/resources.ts`, which the local stack serves too). */
  readonly routes: readonly RouteDefinition[];
  /** The function behind each route group; one Lambda integration each. */
  readonly functions: Readonly<Record<ApiFunctionName, IFunction>>;
  /** The pool whose tokens the JWT authorizer accepts. */
  readonly userPool: IUserPool;
  /** Clients whose tokens are accepted: their ids are the authorizer's audience. */
  readonly clients: readonly IUserPoolClient[];
  /**
   * Steady rate and burst of every route without a limit of its own, in requests per second.
   * @default STAGE_THROTTLE (50, burst 100)
   */
  readonly throttle?: Throttle;
  /**
   * Routes with limits of their own, by route key; each must name a route of `routes`. Replaces the
   * default map as a whole: spread `ROUTE_THROTTLES` to change one entry.
   * @default ROUTE_THROTTLES
   */
  readonly routeThrottles?: Readonly<Partial<Record<RouteKey, Throttle>>>;
}

/**
 * The HTTP API: the routes of `infra/resources.ts`, a Cognito JWT authorizer on every route marked
 * `jwt`, and a throttled, access-logged default stage. Permissions beyond "a valid token of the pool"
 * are checked by the functions, because they depend on groups OR scopes, which the authorizer cannot
 * express.
 */
export class ConsentApi extends Construct {
  public readonly httpApi: HttpApi;
  public readonly stage: HttpStage;
  public readonly accessLogs: LogGroup;

  constructor(scope: Construct, id: string, props: ConsentApiProps) {
    super(scope, id);

    // Our own stage instead of the implicit one, because only an explicit stage takes throttling and
    // access-log settings.
    this.httpApi = new HttpApi(this, 'HttpApi', {
      description: 'WhatsApp consent (blocklist) service',
      createDefaultStage: false,
    });
    this.accessLogs = new LogGroup(this, 'AccessLogs', { retention: RetentionDays.ONE_MONTH });
    this.stage = this.httpApi.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle ?? STAGE_THROTTLE,
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            requestTime: '$context.requestTime',
            sourceIp: '$context.identity.sourceIp',
            // The route template, never the path: paths carry phone numbers, which do not belong in logs.
            routeKey: '$context.routeKey',
            status: '$context.status',
            responseLength: '$context.responseLength',
            latencyMs: '$context.responseLatency',
            // Who called, so that a refused or failing request can be traced to a user or client.
            sub: '$context.authorizer.claims.sub',
            clientId: '$context.authorizer.claims.client_id',
            authorizerError: '$context.authorizer.error',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });

    // Cognito access tokens carry `client_id`, not `aud`; API Gateway compares either with the audience.
    const jwt = new HttpUserPoolAuthorizer('CognitoAuthorizer', props.userPool, {
      userPoolClients: [...props.clients],
    });
    const open = new HttpNoneAuthorizer();
    const authorizers: Record<RouteDefinition['authorization'], IHttpRouteAuthorizer> = { jwt, none: open };

    const integrations = new Map<ApiFunctionName, HttpLambdaIntegration>();
    const integrationOf = (name: ApiFunctionName) => {
      let integration = integrations.get(name);
      if (!integration) {
        integration = new HttpLambdaIntegration(`${name}Integration`, props.functions[name]);
        integrations.set(name, integration);
      }
      return integration;
    };

    const added = new Map<RouteKey, HttpRoute>();
    for (const route of props.routes) {
      const [httpRoute] = this.httpApi.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration: integrationOf(route.function),
        authorizer: authorizers[route.authorization],
      });
      if (!httpRoute) continue;
      added.set(`${route.method} ${route.path}`, httpRoute);
      if (route.authorization === 'none') {
        Validations.of(httpRoute).acknowledge({ id: 'AwsSolutions::AwsSolutions-APIG4', reason: route.openBecause });
      }
    }
    this.throttleRoutes(added, props.routeThrottles ?? ROUTE_THROTTLES);
  }

  /**
   * Route settings exist only on the L1 stage. API Gateway refuses settings for a route it does not
   * know yet, so the stage waits for the routes it names.
   */
  private throttleRoutes(routes: ReadonlyMap<RouteKey, HttpRoute>, throttles: Readonly<Partial<Record<RouteKey, Throttle>>>): void {
    const settings: Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }> = {};
    for (const [key, throttle] of Object.entries(throttles) as [RouteKey, Throttle | undefined][]) {
      const route = routes.get(key);
      if (!route) throw new Error(`Route throttle for ${key}, which is not a route of the API`);
      if (!throttle) continue;
      settings[key] = { ThrottlingRateLimit: throttle.rateLimit, ThrottlingBurstLimit: throttle.burstLimit };
      this.stage.node.addDependency(route);
    }
    if (Object.keys(settings).length > 0) (this.stage.node.defaultChild as CfnStage).routeSettings = settings;
  }

  /** The base URL of the API (the `$default` stage has no path). */
  get url(): string {
    return this.stage.url;
  }
}
