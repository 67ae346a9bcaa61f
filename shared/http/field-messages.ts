import type * as z from 'zod/mini';

type RawIssue = z.core.$ZodRawIssue;

/**
 * The words of `errors[].message` for what a schema did not word itself: each message follows the field
 * name (`body.phones` "must list at least 1 item"), as the service's own messages do. A schema's own
 * message (`.regex(…, 'must be …')`, a refinement's text) wins over these.
 */
export const fieldMessage: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.expected === 'never') return 'is not allowed';
      if (issue.input === undefined || issue.expected === 'nonoptional') return 'is required';
      return `must be ${TYPE_NAMES[issue.expected] ?? `of type ${issue.expected}`}`;
    case 'too_small':
      return sizeMessage(issue, 'at least', 'greater than');
    case 'too_big':
      return sizeMessage(issue, 'at most', 'less than');
    case 'invalid_format':
      return formatMessage(issue);
    case 'not_multiple_of':
      return `must be a multiple of ${issue.divisor}`;
    case 'unrecognized_keys':
      return `has unknown fields: ${issue.keys.join(', ')}`;
    case 'invalid_value':
      return issue.values.length === 1 ? `must be ${literal(issue.values[0])}` : `must be one of ${issue.values.map(literal).join(', ')}`;
    case 'invalid_union':
      return 'must be one of the accepted forms';
    case 'invalid_key':
      return 'is not an accepted key';
    case 'invalid_element':
      return 'holds a value that is not accepted';
    default:
      return 'is not valid';
  }
};

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  bigint: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  tuple: 'a list',
  object: 'an object',
  record: 'an object',
  null: 'null',
  date: 'a date',
};

/** `too_small` and `too_big`: a count of items or characters, or a bound on a number. */
function sizeMessage(issue: Extract<RawIssue, { code: 'too_small' | 'too_big' }>, inclusiveBound: string, exclusiveBound: string): string {
  const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
  switch (issue.origin) {
    case 'array':
    case 'set':
      return `must list ${issue.exact ? 'exactly' : inclusiveBound} ${counted(bound, 'item')}`;
    case 'string':
      if (issue.code === 'too_small' && !issue.exact && Number(bound) === 1) return 'must not be empty';
      return `must be ${issue.exact ? 'exactly' : inclusiveBound} ${counted(bound, 'character')} long`;
    default:
      return `must be ${issue.inclusive === false ? exclusiveBound : inclusiveBound} ${String(bound)}`;
  }
}

const FORMAT_NAMES: Record<string, string> = {
  email: 'email address',
  url: 'URL',
  uuid: 'UUID',
  guid: 'GUID',
  ulid: 'ULID',
  datetime: 'date and time (ISO 8601)',
  date: 'date (YYYY-MM-DD)',
  time: 'time (HH:MM:SS)',
  duration: 'duration (ISO 8601)',
  ipv4: 'IPv4 address',
  ipv6: 'IPv6 address',
  base64: 'base64 text',
  base64url: 'base64url text',
  e164: 'phone number in E.164',
  jwt: 'JSON Web Token',
};

function formatMessage(issue: Extract<RawIssue, { code: 'invalid_format' }>): string {
  switch (issue.format) {
    case 'starts_with':
      return `must start with ${literal(issue['prefix'])}`;
    case 'ends_with':
      return `must end with ${literal(issue['suffix'])}`;
    case 'includes':
      return `must contain ${literal(issue['includes'])}`;
    case 'regex':
      return 'is not in the expected format';
    default:
      return `must be a valid ${FORMAT_NAMES[issue.format] ?? issue.format}`;
  }
}

function counted(count: number | bigint, noun: string): string {
  return `${count} ${Number(count) === 1 ? noun : `${noun}s`}`;
}

/** A value as a client would write it in JSON: strings quoted, numbers and the rest as they are. */
function literal(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}
