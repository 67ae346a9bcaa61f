/**
 * The region and credentials the AWS SDK asks for before it sends a call; the emulators the benchmarks
 * run against (DynamoDB Local, fauxqs) check neither. Values already set are kept.
 */
export function useLocalAwsEnvironment(): void {
  process.env['AWS_REGION'] ??= 'us-east-1';
  process.env['AWS_ACCESS_KEY_ID'] ??= 'local';
  process.env['AWS_SECRET_ACCESS_KEY'] ??= 'local';
}
