import { humanText } from '../../../shared/domain/text.js';

describe('humanText', () => {
  const text = humanText(10);

  it('trims white space around the text', () => {
    expect(text.parse('  \n\tcalled us \u00a0')).toBe('called us');
  });

  it('normalises to NFC, so a decomposed é becomes one code point', () => {
    const decomposed = 'caf\u0065\u0301';

    const parsed = text.parse(decomposed);

    expect(parsed).toBe('caf\u00e9');
    expect(parsed.normalize('NFC')).toBe(parsed);
  });

  it('counts the limit in code points after normalisation', () => {
    // 10 decomposed characters are 20 code points before NFC and 10 after.
    expect(text.safeParse('e\u0301'.repeat(10)).success).toBe(true);
    expect(text.safeParse('😀'.repeat(10)).success).toBe(true);
    expect(text.safeParse('😀'.repeat(11)).success).toBe(false);
  });

  it.each(['', '   ', '\n\t'])('refuses the empty or blank text %j', (value) => {
    expect(text.safeParse(value).success).toBe(false);
  });

  it.each(['\ud800', 'ok\udc00', '\ude00😀'])('refuses %j, which holds a lone surrogate', (value) => {
    expect(text.safeParse(value).success).toBe(false);
  });

  it('refuses what is not a string', () => {
    expect(text.safeParse(42).success).toBe(false);
  });
});
