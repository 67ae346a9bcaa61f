import { phoneFromInput, readablePhone } from '../../../web/src/model/format.js';

describe('phoneFromInput', () => {
  it.each([
    ['+420 777 123 456', '+420777123456'],
    ['00420777123456', '+420777123456'],
    ['420777123456', '+420777123456'],
    ['  +55 41 99214-6473 ', '+5541992146473'],
  ])('reads %s as %s', (input, phone) => {
    expect(phoneFromInput(input)).toBe(phone);
  });

  it.each(['', 'call me maybe', '+1', '777 123 456'])('refuses %j', (input) => {
    expect(phoneFromInput(input)).toBeUndefined();
  });
});

describe('readablePhone', () => {
  it('formats E.164 for reading and leaves anything else as it is', () => {
    expect(readablePhone('+420777123456')).toBe('+420 777 123 456');
    expect(readablePhone('not a number')).toBe('not a number');
  });
});
