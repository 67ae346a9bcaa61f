/** The service's limit on a reason, in characters. */
export const REASON_MAX_LENGTH = 500;

/** A typed reason as the service stores it: NFC, without surrounding spaces. */
export function cleanReason(input: string): string {
  return input.normalize('NFC').trim();
}

/** Why the service would refuse this (cleaned) reason, in words; `undefined` when it is fine. */
export function reasonProblem(reason: string): string | undefined {
  const length = [...reason].length;
  if (length === 0) return 'Enter a reason: it is required.';
  if (length > REASON_MAX_LENGTH) return `The reason is too long: at most ${REASON_MAX_LENGTH} characters.`;
  return undefined;
}
