/**
 * A value built the first time it is asked for, then kept. Schemas are built this way: zod builds a
 * schema, and compiles the code that builds it, when asked, which a cold start pays for every schema
 * its modules create as they load, whether or not a request ever needs it.
 */
export function onFirstUse<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => (built ??= { value: build() }).value;
}
