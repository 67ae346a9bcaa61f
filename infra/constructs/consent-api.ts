import { Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  LogGroupLogDestination,
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
   * Steady rate and burst of the whole API, in requests per second.
   * @default { rateLimit: 50, burstLimit: 100 }
   */
  readonly throttle?: ThrottleSettings;
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
      throttle: props.throttle ?? { rateLimit: 50, burstLimit: 100 },
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

    for (const route of props.routes) {
      const [added] = this.httpApi.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration: integrationOf(route.function),
        authorizer: authorizers[route.authorization],
      });
      if (added && route.authorization === 'none') {
        Validations.of(added).acknowledge({ id: 'AwsSolutions::AwsSolutions-APIG4', reason: route.openBecause });
      }
    }
  }

  /** The base URL of the API (the `$default` stage has no path). */
  get url(): string {
    return this.stage.url;
  }
}
