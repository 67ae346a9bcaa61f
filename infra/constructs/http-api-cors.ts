import { Stack } from 'aws-cdk-lib';
import type { CorsPreflightOptions, IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { AwsCustomResource, AwsCustomResourcePolicy, PhysicalResourceId, type AwsSdkCall } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { ownLogging } from './consent-function.js';

export interface HttpApiCorsProps {
  /** The API whose CORS configuration to set. */
  readonly httpApi: IHttpApi;
  /** What `HttpApiProps.corsPreflight` would say, were it not for the dependency cycle below. */
  readonly corsPreflight: CorsPreflightOptions;
}

/**
 * Sets an HTTP API's CORS configuration once the API and the origins it allows both exist: a custom
 * resource calls API Gateway's `UpdateApi` with the CORS configuration alone, and `DeleteCorsConfiguration`
 * when it is removed.
 *
 * Why not `corsPreflight` on the `HttpApi`: the origin to allow is the console's CloudFront domain, and
 * the distribution's response-headers policy names the API in its content security policy
 * (`connect-src`). CloudFormation would need each before the other: API → distribution (for the domain)
 * → headers policy → API (for its id). CloudFront assigns the domain and API Gateway the id, so neither
 * can be written down in advance, and the CSP must name the exact API host (a `*.execute-api` wildcard
 * would let the console talk to any API in the region). The cycle is broken here, on the API's side:
 * this resource depends on both, and nothing depends on it.
 *
 * CloudFormation never sees the API's `CorsConfiguration`, so it does not reset it on later updates of
 * the API resource; change it here, not in the AWS console. The function may update that one API and
 * delete its CORS configuration, nothing else, and writes only to its own log group.
 */
export class HttpApiCors extends Construct {
  constructor(scope: Construct, id: string, props: HttpApiCorsProps) {
    super(scope, id);

    const { apiId } = props.httpApi;
    const { partition, region } = Stack.of(this);
    const apiArn = `arn:${partition}:apigateway:${region}::/apis/${apiId}`;
    const cors = props.corsPreflight;

    const update: AwsSdkCall = {
      service: 'ApiGatewayV2',
      action: 'UpdateApi',
      parameters: {
        ApiId: apiId,
        CorsConfiguration: {
          AllowOrigins: cors.allowOrigins,
          AllowMethods: cors.allowMethods,
          AllowHeaders: cors.allowHeaders,
          ExposeHeaders: cors.exposeHeaders,
          MaxAge: cors.maxAge?.toSeconds(),
          AllowCredentials: cors.allowCredentials ?? false,
        },
      },
      physicalResourceId: PhysicalResourceId.of(`${apiId}-cors`),
    };
    const { logGroup, role } = ownLogging(this, 'Handler');

    new AwsCustomResource(this, 'Resource', {
      resourceType: 'Custom::HttpApiCors',
      onCreate: update,
      onUpdate: update,
      onDelete: {
        service: 'ApiGatewayV2',
        action: 'DeleteCorsConfiguration',
        parameters: { ApiId: apiId },
        // The API may be gone already, and its CORS configuration with it.
        ignoreErrorCodesMatching: 'NotFoundException',
      },
      // The Lambda runtime's SDK has these calls; fetching the newest at deploy time needs the internet.
      installLatestAwsSdk: false,
      role,
      logGroup,
      policy: AwsCustomResourcePolicy.fromStatements([
        // API Gateway's IAM actions are HTTP verbs on resource paths: UpdateApi is PATCH on the API,
        // DeleteCorsConfiguration is DELETE on its `/cors`.
        new PolicyStatement({ actions: ['apigateway:PATCH'], resources: [apiArn] }),
        new PolicyStatement({ actions: ['apigateway:DELETE'], resources: [`${apiArn}/cors`] }),
      ]),
    });
  }
}
