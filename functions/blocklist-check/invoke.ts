import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { readConfig } from '../../shared/config.js';
import { blocklistChecker, type CheckResult } from '../../shared/blocklist.js';
import { checkRequestSchema } from '../../shared/domain/blocklist-check.js';
import { parseDocument } from '../../shared/http/request.js';
import { observed } from '../../shared/observability.js';
import { countCheck } from './count-check.js';

const config = readConfig(['consentTableName']);
const checker = blocklistChecker({ tableName: config.consentTableName });

/**
 * The check for campaign Lambdas that invoke it directly (`{ "phones": [...], "category"?: … }` in, the
 * check's result out). An entry that is no number comes back in `invalid`, as given; input that is not such a list
 * fails the invocation with an `InvalidInputError` that lists every invalid field;
 * a throttled read fails it with `UnprocessedKeysError`, so the caller retries rather than send blindly.
 */
export const handler = middy<unknown, CheckResult<unknown>, Error, Context>()
  .use(observed())
  .handler(async (event) => {
    const { phones, category } = parseDocument(checkRequestSchema(), event, 'event');
    return countCheck(await checker.check(phones, { category }));
  });
