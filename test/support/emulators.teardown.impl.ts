export default async function teardown(): Promise<void> {
  const emulators = (globalThis as { __emulators__?: { stop(): Promise<void> }[] }).__emulators__ ?? [];
  await Promise.all(emulators.map((emulator) => emulator.stop()));
}
