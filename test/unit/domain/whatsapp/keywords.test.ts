import { DEFAULT_OPT_IN_KEYWORDS, DEFAULT_OPT_OUT_KEYWORDS, keywordListSchema, keywordOf } from '../../../../shared/domain/whatsapp/keywords.js';

const keywords = {
  optOut: keywordListSchema(DEFAULT_OPT_OUT_KEYWORDS).parse(undefined),
  optIn: keywordListSchema(DEFAULT_OPT_IN_KEYWORDS).parse(undefined),
};

describe('keywordOf', () => {
  it.each([' Stop ', 'STOP', 'stop', 'Unsubscribe', '\tquit\n', 'ＳＴＯＰ', 'StopAll'])('reads %j as an opt-out', (text) => {
    expect(keywordOf(text, keywords)).toBe('opt-out');
  });

  it.each(['START', ' start ', 'Unstop'])('reads %j as an opt-in', (text) => {
    expect(keywordOf(text, keywords)).toBe('opt-in');
  });

  it.each(['please stop', 'STOP!', 'stop it', '', 'STOPP', 'Hello'])('reads %j as no keyword: a keyword is the whole message', (text) => {
    expect(keywordOf(text, keywords)).toBeUndefined();
  });
});

describe('keywordListSchema', () => {
  it('keeps the defaults when unset or empty', () => {
    expect([...keywordListSchema(DEFAULT_OPT_OUT_KEYWORDS).parse(undefined)]).toEqual([...DEFAULT_OPT_OUT_KEYWORDS]);
    expect([...keywordListSchema(DEFAULT_OPT_OUT_KEYWORDS).parse(' , ')]).toEqual([...DEFAULT_OPT_OUT_KEYWORDS]);
  });

  it('replaces them with the configured words, folded', () => {
    const custom = keywordListSchema(DEFAULT_OPT_OUT_KEYWORDS).parse(' Arrêt, baja ,STOP');
    expect([...custom]).toEqual(['ARRÊT', 'BAJA', 'STOP']);
    expect(keywordOf('arrêt', { optOut: custom, optIn: new Set() })).toBe('opt-out');
    expect(keywordOf('quit', { optOut: custom, optIn: new Set() })).toBeUndefined();
  });

  it('refuses a word over 64 characters', () => {
    expect(keywordListSchema([]).safeParse('x'.repeat(65)).success).toBe(false);
  });
});
