import { copyFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  AdotLambdaExecWrapper,
  AdotLambdaLayerJavaScriptSdkVersion,
  AdotLayerVersion,
  Architecture,
  Runtime,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { SERVICE_NAME } from '../../shared/metric-names.js';

/** The repository root: handler entries in `infra/resources.ts` are relative to it. */
export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Powertools log levels (`POWERTOOLS_LOG_LEVEL`). */
export const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * How functions are traced. `xray`: Lambda's active tracing alone, which records every invocation (its
 * `Init` subsegment on a cold start, the link from the SQS message that triggered it) with no code in
 * the bundle. `otel`: the same, plus the ADOT Lambda layer for Node.js, which wraps the handler with
 * OpenTelemetry and sends its spans to X-Ray through the collector it runs as an extension.
 */
export const TRACING_MODES = ['xray', 'otel'] as const;
export type TracingMode = (typeof TRACING_MODES)[number];

/**
 * The ADOT layer of `-c tracing=otel`, pinned: a newer layer changes what runs before every handler, so
 * it is an upgrade to make on purpose, not one a CDK upgrade should bring.
 */
const ADOT_JAVASCRIPT_LAYER = AdotLambdaLayerJavaScriptSdkVersion.V1_30_0;


/**
 * Files a bundle reads at run time instead of holding them as code, by the module that reads them:
 * copied beside every bundle that holds that module (by `cdk deploy`, `npm run size` and the tests
 * alike), so that a cold start neither parses nor evaluates them.
 */
export const FILES_BESIDE_BUNDLE: readonly { module: string; file: string }[] = [
  // libphonenumber-js's full metadata, a quarter of a bundle's code, read on the first number.
  { module: 'shared/domain/phone.ts', file: 'node_modules/libphonenumber-js/metadata.max.json' },
  // The OpenAPI document, read on `/openapi.json`'s first request.
  { module: 'functions/openapi/handler.ts', file: 'openapi.json' },
];

/** Copies {@link FILES_BESIDE_BUNDLE} beside a bundle built with a metafile, for the modules it holds. */
export function copyFilesBeside(metafile: { inputs: Record<string, unknown> }, directory: string): void {
  for (const { module, file } of FILES_BESIDE_BUNDLE) {
    if (module in metafile.inputs) copyFileSync(join(PROJECT_ROOT, file), join(directory, basename(file)));
  }
}

/** How every function is bundled (as ESM, besides); `npm run size` builds with these same settings. */
export const BUNDLING = {
  minify: true,
  sourceMap: true,
  // `index.meta.json` beside the bundle names every module in it, for the tests (which check that no
  // tracing SDK is bundled) and for anyone asking why a bundle is the size it is. It ships in the zip
  // (about 40 kB compressed, a twentieth of the source map) and is never loaded.
  metafile: true,
  target: 'node24',
  mainFields: ['module', 'main'],
  // The SDK in the Lambda runtime is whatever version AWS ships that month; bundling the one in
  // package-lock.json runs in AWS exactly what the tests ran (e.g. `useQueueUrlAsEndpoint` of SQSClient).
  bundleAwsSDK: true,
  // CommonJS dependencies bundled into ESM still call `require` for Node built-ins; ESM has none.
  // The alias keeps the banner's import from clashing with a bundled module's own `createRequire`.
  banner:
    "import { createRequire as __bannerCreateRequire } from 'module'; " +
    'const require = __bannerCreateRequire(import.meta.url);',
  // Where `shared/domain/phone.ts` finds the metadata in a bundle (beside it, see FILES_BESIDE_BUNDLE).
  define: { PHONE_METADATA_FILE: JSON.stringify('./metadata.max.json') } as Record<string, string>,
};

export interface ConsentFunctionProps {
  /** The handler file, relative to the project root (an `entry` of `functions` in `infra/resources.ts`). */
  readonly entry: string;
  /**
   * Environment variables besides the Powertools ones: the settings the handler reads with `readConfig`.
   * @default - none
   */
  readonly environment?: Record<string, string>;
  /**
   * @default Duration.seconds(10) - an API call that takes longer has already failed its caller
   */
  readonly timeout?: Duration;
  /**
   * @default 512 - more memory also buys more CPU, which shortens cold starts of the bundled SDK
   */
  readonly memorySize?: number;
  /**
   * Powertools log level of the function.
   * @default 'INFO'
   */
  readonly logLevel?: LogLevel;
  /**
   * Values esbuild writes into the bundle in place of these identifiers (`define`).
   * @default - none
   */
  readonly define?: Record<string, string>;
  /**
   * How the function is traced.
   * @default 'xray' - Lambda's active tracing, with nothing in the bundle or in a layer
   */
  readonly tracing?: TracingMode;
  /**
   * How long the function's logs are kept.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
}

/**
 * A log group with a retention, and a Lambda role that may write to that log group only, instead of the
 * managed AWSLambdaBasicExecutionRole, which may write to every log group of the account. Both are
 * created in `scope` as `<id>Logs` and `<id>Role`: the log group must exist before the function that
 * names it, so it cannot be the function's child.
 */
export function ownLogging(scope: Construct, id: string, retention = RetentionDays.ONE_MONTH): { logGroup: LogGroup; role: Role } {
  const logGroup = new LogGroup(scope, `${id}Logs`, { retention });
  const role = new Role(scope, `${id}Role`, { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
  logGroup.grantWrite(role);
  return { logGroup, role };
}

/**
 * A Lambda function of this service with every default in one place: Node.js 24 on arm64, bundled by
 * the local esbuild as minified ESM with source maps, Powertools settings, active X-Ray tracing (and, when
 * asked, the ADOT layer), its own
 * log group with a retention (a log group that Lambda creates on first use keeps logs forever), and its
 * own role.
 */
export class ConsentFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: ConsentFunctionProps) {
    const { logGroup, role } = ownLogging(scope, id, props.logRetention);
    super(scope, id, {
      role,
      entry: join(PROJECT_ROOT, props.entry),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      // Lambda itself sends each invocation's segment to X-Ray; the bundle holds no tracing SDK.
      tracing: Tracing.ACTIVE,
      adotInstrumentation:
        props.tracing === 'otel'
          ? { layerVersion: AdotLayerVersion.fromJavaScriptSdkLayerVersion(ADOT_JAVASCRIPT_LAYER), execWrapper: AdotLambdaExecWrapper.REGULAR_HANDLER }
          : undefined,
      logGroup,
      environment: {
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
        POWERTOOLS_LOG_LEVEL: props.logLevel ?? 'INFO',
        // Stack traces in the logs point at the TypeScript sources, not at the minified bundle.
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        ...BUNDLING,
        define: { ...BUNDLING.define, ...props.define },
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          // `copyFilesBeside`, as shell commands: CDK runs esbuild itself, then these, in the asset's folder.
          afterBundling: (inputDir: string, outputDir: string) =>
            FILES_BESIDE_BUNDLE.map(
              ({ module, file }) =>
                `if grep -qF '"${module}"' "${join(outputDir, 'index.meta.json')}"; then cp "${join(inputDir, file)}" "${join(outputDir, basename(file))}"; fi`,
            ),
        },
      },
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason: "xray:PutTraceSegments and xray:PutTelemetryRecords, which active tracing adds, take no resource but '*'",
    });
    // Node.js 24 is the latest runtime today; this keeps a later one from failing the synth unseen.
    Validations.of(this).acknowledge({
      id: 'AwsSolutions::AwsSolutions-L1',
      reason:
        'Pinned to Node.js 24, the runtime the tests run on (npm ci installs it; .nvmrc names it); a newer runtime is a ' +
        'deliberate upgrade with its own test run, not something a deploy should pick up unseen',
    });
  }
}
