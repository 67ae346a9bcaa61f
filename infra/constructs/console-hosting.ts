import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BOOTSTRAP_QUALIFIER_CONTEXT, DefaultStackSynthesizer, Duration, Stack, Token, Validations, type CfnResource } from 'aws-cdk-lib';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  Function as CloudFrontFunction,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  PriceClass,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import type { SingletonFunction } from 'aws-cdk-lib/aws-lambda';
import { BlockPublicAccess, Bucket, BucketEncryption } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY } from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import { ownLogging } from './consent-function.js';

/** The path under which the console is served, and its key prefix in the bucket (Vite's `base`). */
const CONSOLE_PATH = '/console/';

/** The viewer-request function's source, deployed as it stands. */
const VIEWER_REQUEST_SOURCE = join(dirname(fileURLToPath(import.meta.url)), 'console-viewer-request.js');

/** What both buckets are: private, TLS only, encrypted with S3-managed keys. */
const PRIVATE_BUCKET = {
  blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
  enforceSSL: true,
  encryption: BucketEncryption.S3_MANAGED,
} as const;

/** Two years: browsers keep to HTTPS for the console that long after a visit. */
const HSTS_MAX_AGE = Duration.days(730);

/**
 * `config.json` beside `index.html`, as the console reads it (`web/src/config.ts`): where the API is and
 * how people sign in. Written at deploy time, so one build serves every stack.
 */
export interface ConsoleConfig {
  /**
   * The API's base URL without a trailing slash. The `$default` stage serves at the root, so this is
   * also the API's origin, the one the content security policy lets the console connect to.
   */
  readonly apiUrl: string;
  readonly auth: {
    readonly kind: 'cognito';
    /** The user pool's issuer, `https://cognito-idp.<region>.amazonaws.com/<userPoolId>`. */
    readonly authority: string;
    /** The people's app client (authorization code with PKCE, no secret). */
    readonly clientId: string;
    /** The hosted Cognito domain, `https://<prefix>.auth.<region>.amazoncognito.com`: an origin too. */
    readonly domain: string;
  };
}

export interface ConsoleHostingProps {
  /**
   * The console's static build (`npm run build:console`): `index.html`, and the content-hashed files
   * of `assets/`.
   */
  readonly assetsPath: string;
  /** Written to `config.json`; its two origins are the only ones the console may connect to. */
  readonly config: ConsoleConfig;
}

/**
 * The operator console in AWS: its build in a private bucket, served under `/console/` by a CloudFront
 * distribution that alone may read the bucket (origin access control), with a strict content security
 * policy and a `config.json` written at deploy time.
 *
 * The API must also allow the console's origin (CORS); see `HttpApiCors` for why that is set apart.
 */
export class ConsoleHosting extends Construct {
  public readonly bucket: Bucket;
  public readonly distribution: Distribution;
  /** Receives the bucket's server access logs. */
  public readonly accessLogs: Bucket;

  constructor(scope: Construct, id: string, props: ConsoleHostingProps) {
    super(scope, id);

    if (!existsSync(join(props.assetsPath, 'index.html'))) {
      throw new Error(
        `The console's build is missing: no index.html in ${props.assetsPath}. Run \`npm run build:console\` first.`,
      );
    }

    // S3 delivers the access logs under a bucket policy instead of the legacy log-delivery ACL, so that
    // the log bucket, like the other, has ACLs disabled.
    this.node.setContext(S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY, true);
    this.accessLogs = new Bucket(this, 'AccessLogs', {
      ...PRIVATE_BUCKET,
      lifecycleRules: [{ expiration: Duration.days(90) }],
    });
    Validations.of(this.accessLogs).acknowledge({
      id: 'AwsSolutions::AwsSolutions-S1',
      reason:
        "This bucket is the target of the console bucket's server access logs; logging requests to it would " +
        'need yet another log bucket, and so on without end',
    });

    // No website hosting: CloudFront reads objects through the S3 API, signed by its origin access control.
    this.bucket = new Bucket(this, 'Bucket', {
      ...PRIVATE_BUCKET,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'console-bucket/',
    });

    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'WhatsApp consent operator console',
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.headersPolicy(props.config),
        functionAssociations: [
          {
            eventType: FunctionEventType.VIEWER_REQUEST,
            function: new CloudFrontFunction(this, 'ViewerRequest', {
              comment: 'Redirects / to /console/ and serves index.html for the console routes',
              runtime: FunctionRuntime.JS_2_0,
              code: FunctionCode.fromFile({ filePath: VIEWER_REQUEST_SOURCE }),
            }),
          },
        ],
      },
    });
    Validations.of(this.distribution).acknowledge(
      {
        id: 'AwsSolutions::AwsSolutions-CFR1',
        reason:
          'The operators may work from anywhere. The distribution serves nothing but the static build; every ' +
          'API call needs a Cognito token, and people sign in with a password and TOTP',
      },
      {
        id: 'AwsSolutions::AwsSolutions-CFR2',
        reason:
          'The distribution serves only static files from S3 through a cache, with no application behind it ' +
          'to protect; the data is behind the API, which is throttled and needs a JWT on every data route',
      },
      {
        id: 'AwsSolutions::AwsSolutions-CFR3',
        reason:
          "Viewer logs would record the console's paths, which carry phone numbers " +
          '(/console/numbers/%2B420…); like the API, which logs route templates only, the service keeps ' +
          'numbers out of its logs. Who did what is in the API access logs and the audit table',
      },
      {
        id: 'AwsSolutions::AwsSolutions-CFR4',
        reason:
          'The distribution uses its *.cloudfront.net name and the default certificate, with which CloudFront ' +
          'cannot be given a minimum TLS version; a custom domain with its own certificate would allow TLS 1.2 only',
      },
    );

    // One handler (a singleton) runs both deployments, with a role and log group of its own.
    const deployment = ownLogging(this, 'Deployment');
    const assetsPath = join(props.assetsPath, 'assets');
    // Content-hashed names: a file never changes under its name, so browsers and CloudFront keep it a
    // year. Old files stay (no pruning), so that a page loaded before a deployment still finds its chunks;
    // each build adds its few hundred kilobytes.
    const assets = existsSync(assetsPath)
      ? new BucketDeployment(this, 'DeployAssets', {
          sources: [Source.asset(assetsPath)],
          destinationBucket: this.bucket,
          destinationKeyPrefix: `${CONSOLE_PATH.slice(1)}assets/`,
          prune: false,
          cacheControl: [CacheControl.setPublic(), CacheControl.maxAge(Duration.days(365)), CacheControl.immutable()],
          role: deployment.role,
          logGroup: deployment.logGroup,
        })
      : undefined;
    // index.html names the hashed files of its build, and config.json changes with the stack: browsers
    // revalidate both on every load, and CloudFront forgets its copies after each deployment.
    const entry = new BucketDeployment(this, 'DeployEntry', {
      sources: [Source.asset(props.assetsPath, { exclude: ['assets'] }), Source.jsonData('config.json', props.config)],
      destinationBucket: this.bucket,
      destinationKeyPrefix: CONSOLE_PATH.slice(1),
      // Pruning removes files of earlier builds, but not the assets the other deployment owns.
      exclude: ['assets/*'],
      cacheControl: [CacheControl.noCache()],
      distribution: this.distribution,
      distributionPaths: [`${CONSOLE_PATH}*`],
      role: deployment.role,
      logGroup: deployment.logGroup,
    });
    // A new index.html must not be served before the files it names exist.
    if (assets) entry.node.addDependency(assets);
    this.acknowledgeDeploymentFindings(entry, deployment.role);
  }

  /** The console's origin, `https://<distribution domain>`, which the API must allow (CORS). */
  get origin(): string {
    return `https://${this.distribution.distributionDomainName}`;
  }

  /** The console's address: its start page, and where Cognito's logout sends people back. */
  get url(): string {
    return `${this.origin}${CONSOLE_PATH}`;
  }

  /** Where Cognito's hosted login sends people back with their authorization code. */
  get callbackUrl(): string {
    return `${this.url}callback`;
  }

  /**
   * What cdk-nag finds in the deployment handler, which aws-cdk-lib's BucketDeployment defines: its
   * runtime, and the grants it makes to the handler's role (the role itself is ours, with no managed
   * policy).
   */
  private acknowledgeDeploymentFindings(deployment: BucketDeployment, role: IRole): void {
    const stack = Stack.of(this);
    const handler = deployment.node.findChild('CustomResourceHandler') as SingletonFunction;
    Validations.of(stack.node.findChild(handler.constructName)).acknowledge({
      id: 'AwsSolutions::AwsSolutions-L1',
      reason:
        "BucketDeployment's handler (Python with the AWS CLI layer) comes with aws-cdk-lib, which picks and " +
        'updates its runtime; it runs only during deployments',
    });

    const bucketId = stack.getLogicalId(this.bucket.node.defaultChild as CfnResource);
    const s3Reason =
      "BucketDeployment's own grants to its handler: read the build's zip files in the CDK asset bucket, and " +
      'read, write and delete (to prune earlier builds) the objects of the console bucket. The wildcards are ' +
      'action families and object keys of those two buckets only';
    const s3Findings = [
      'Action::s3:GetObject*',
      'Action::s3:GetBucket*',
      'Action::s3:List*',
      'Action::s3:DeleteObject*',
      'Action::s3:Abort*',
      `Resource::<${bucketId}.Arn>/*`,
      `Resource::${assetBucketObjects(stack)}`,
    ];
    Validations.of(role).acknowledge(
      ...s3Findings.map((finding) => ({ id: `AwsSolutions::AwsSolutions-IAM5[${finding}]`, reason: s3Reason })),
      {
        id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
        reason:
          "BucketDeployment grants cloudfront:CreateInvalidation and GetInvalidation on '*'; the handler " +
          "invalidates only the console's distribution, named in its request, and the role serves no other code",
      },
    );
  }

  /**
   * Security headers on every response. The console's scripts and styles are its own files; it connects
   * to the API and to the hosted Cognito domain (token endpoint) and nowhere else: it is given Cognito's
   * endpoints rather than discovering them, so not even the cognito-idp discovery document is fetched.
   */
  private headersPolicy(config: ConsoleConfig): ResponseHeadersPolicy {
    const contentSecurityPolicy = [
      "default-src 'none'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self' data:",
      "font-src 'self'",
      "manifest-src 'self'",
      `connect-src ${config.apiUrl} ${config.auth.domain}`,
      "base-uri 'none'",
      "form-action 'self'",
      "frame-ancestors 'none'",
      "object-src 'none'",
    ].join('; ');
    return new ResponseHeadersPolicy(this, 'Headers', {
      comment: 'Security headers of the operator console',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy, override: true },
        strictTransportSecurity: { accessControlMaxAge: HSTS_MAX_AGE, includeSubdomains: true, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        // The console's paths carry phone numbers; no other site is told where a user came from.
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
    });
  }
}

/**
 * The CDK asset bucket's objects as cdk-nag names them in a finding: the bootstrap bucket
 * (`cdk-<qualifier>-assets-<account>-<region>`), with `<AWS::…>` where the stack leaves account or
 * region to the deployment.
 */
function assetBucketObjects(stack: Stack): string {
  const qualifier: unknown = stack.node.tryGetContext(BOOTSTRAP_QUALIFIER_CONTEXT) ?? DefaultStackSynthesizer.DEFAULT_QUALIFIER;
  const part = (value: string, pseudo: string) => (Token.isUnresolved(value) ? `<${pseudo}>` : value);
  return `arn:<AWS::Partition>:s3:::cdk-${String(qualifier)}-assets-${part(stack.account, 'AWS::AccountId')}-${part(stack.region, 'AWS::Region')}/*`;
}
