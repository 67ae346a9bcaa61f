import { SQSClient } from '@aws-sdk/client-sqs';
import { BOUNDED_CALLS } from './bounded-calls.js';

/**
 * The SQS client, created once per Lambda container and reused across invocations; the endpoint comes
 * from `AWS_ENDPOINT_URL` or `AWS_ENDPOINT_URL_SQS` when set.
 *
 * The endpoint, not the queue URL's host, decides where requests go: emulators and LocalStack hand out
 * queue URLs whose host names need DNS entries that a developer machine does not have.
 */
export const sqs = new SQSClient({ ...BOUNDED_CALLS, useQueueUrlAsEndpoint: false });
