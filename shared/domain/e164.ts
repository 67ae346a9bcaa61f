/** A phone number in E.164 form, e.g. `+420777123456`. Only `normalisePhone` (`phone.ts`) makes one. */
export type E164 = string & { readonly __brand: 'E164' };
