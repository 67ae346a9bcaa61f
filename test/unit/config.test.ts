import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { ENV, readConfig } from '../../shared/config.js';
import { readWebhookSettings } from '../../shared/webhook-settings.js';

const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The source files a bundle of one module holds, relative to the project. */
async function bundledSources(entry: string): Promise<string[]> {
  const { metafile } = await build({ entryPoints: [join(PROJECT_ROOT, entry)], bundle: true, write: false, platform: 'node', format: 'esm', metafile: true, logLevel: 'silent' });
  return Object.keys(metafile.inputs).filter((input) => !input.includes('node_modules'));
}

const VALID = {
  CONSENT_TABLE_NAME: 'consent',
  AUDIT_TABLE_NAME: 'audit',
  CONSENT_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/consent.fifo',
  MAX_RECEIVE_COUNT: '5',
};

describe('readConfig', () => {
  it('reads the named settings and coerces MAX_RECEIVE_COUNT to a number', () => {
    const config = readConfig(['consentTableName', 'auditTableName', 'consentQueueUrl', 'maxReceiveCount'], VALID);

    expect(config).toEqual({
      consentTableName: 'consent',
      auditTableName: 'audit',
      consentQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/consent.fifo',
      maxReceiveCount: 5,
    });
  });

  it('reads only the settings it is asked for', () => {
    expect(readConfig(['consentTableName'], { CONSENT_TABLE_NAME: 'consent' })).toEqual({ consentTableName: 'consent' });
  });

  it('names a missing variable in its error', () => {
    const { AUDIT_TABLE_NAME: _missing, ...env } = VALID;

    expect(() => readConfig(['consentTableName', 'auditTableName'], env)).toThrow('Invalid configuration: AUDIT_TABLE_NAME: is required');
  });

  it('names every invalid variable at once', () => {
    let message = '';
    try {
      readConfig(['consentTableName', 'consentQueueUrl', 'maxReceiveCount'], { CONSENT_QUEUE_URL: 'not a url', MAX_RECEIVE_COUNT: '5' });
    } catch (error) {
      message = (error as Error).message;
    }

    expect(message).toContain('CONSENT_TABLE_NAME');
    expect(message).toContain('CONSENT_QUEUE_URL');
    expect(message).not.toContain('MAX_RECEIVE_COUNT');
  });

  it.each(['', '0', '-3', '2.5', 'five'])('refuses MAX_RECEIVE_COUNT=%j', (value) => {
    expect(() => readConfig(['maxReceiveCount'], { MAX_RECEIVE_COUNT: value })).toThrow(/MAX_RECEIVE_COUNT/);
  });

  it('refuses an empty table name', () => {
    expect(() => readConfig(['consentTableName'], { CONSENT_TABLE_NAME: '' })).toThrow(/CONSENT_TABLE_NAME/);
  });

  it('exports the variable names the stacks set', () => {
    expect(ENV).toEqual({
      consentTableName: 'CONSENT_TABLE_NAME',
      auditTableName: 'AUDIT_TABLE_NAME',
      consentQueueUrl: 'CONSENT_QUEUE_URL',
      deadLetterQueueUrl: 'DEAD_LETTER_QUEUE_URL',
      pendingResendAfterSeconds: 'PENDING_RESEND_AFTER_SECONDS',
      maxReceiveCount: 'MAX_RECEIVE_COUNT',
      whatsappSecretId: 'WHATSAPP_SECRET_ID',
      whatsappAppSecret: 'WHATSAPP_APP_SECRET',
      whatsappVerifyToken: 'WHATSAPP_VERIFY_TOKEN',
      erasureLogSecretId: 'ERASURE_LOG_SECRET_ID',
      erasureLogKey: 'ERASURE_LOG_KEY',
      autoBlockCodes: 'AUTO_BLOCK_CODES',
      changeEventsBusName: 'CHANGE_EVENTS_BUS_NAME',
      changeEventsQueueUrl: 'CHANGE_EVENTS_QUEUE_URL',
      autoBlockGuardLimit: 'AUTO_BLOCK_GUARD_LIMIT',
      autoBlockGuardWindowSeconds: 'AUTO_BLOCK_GUARD_WINDOW_SECONDS',
      optOutKeywords: 'OPT_OUT_KEYWORDS',
      optInKeywords: 'OPT_IN_KEYWORDS',
    });
  });

  it('reads PENDING_RESEND_AFTER_SECONDS with a default of two minutes, and refuses junk at start', () => {
    expect(readConfig(['pendingResendAfterSeconds'], {})).toEqual({ pendingResendAfterSeconds: 120 });
    expect(readConfig(['pendingResendAfterSeconds'], { PENDING_RESEND_AFTER_SECONDS: '5' })).toEqual({ pendingResendAfterSeconds: 5 });
    expect(() => readConfig(['pendingResendAfterSeconds'], { PENDING_RESEND_AFTER_SECONDS: 'soon' })).toThrow(/PENDING_RESEND_AFTER_SECONDS/);
  });

  it('reads AUTO_BLOCK_CODES as a list of codes, keeps the default when unset, and refuses junk at start', () => {
    expect(readWebhookSettings({ AUTO_BLOCK_CODES: '131026, 1013' }).autoBlockCodes).toEqual([131026, 1013]);
    expect(readWebhookSettings({}).autoBlockCodes).toBeUndefined();
    expect(() => readWebhookSettings({ AUTO_BLOCK_CODES: 'all of them' })).toThrow(/^Invalid configuration: AUTO_BLOCK_CODES: /);
  });

  it('reads the keyword lists with their defaults, and names every invalid webhook setting at once', () => {
    expect(readWebhookSettings({ OPT_OUT_KEYWORDS: ' stop , Halt ' })).toEqual({
      autoBlockCodes: undefined,
      optOutKeywords: new Set(['STOP', 'HALT']),
      optInKeywords: new Set(['START', 'UNSTOP']),
    });
    expect(() => readWebhookSettings({ AUTO_BLOCK_CODES: 'x', OPT_IN_KEYWORDS: 'y'.repeat(65) })).toThrow(/AUTO_BLOCK_CODES: .*, OPT_IN_KEYWORDS: /);
  });

  it('bundles no code of the webhook: every function reads its settings, and only the webhook reads the WhatsApp ones', async () => {
    expect((await bundledSources('shared/config.ts')).sort()).toEqual(['shared/config.ts', 'shared/http/field-messages.ts']);
  });
});
