import { lambdaContext } from './lambda-context.js';

export type ScheduledHandler = (event: unknown, context: ReturnType<typeof lambdaContext>) => Promise<unknown>;

/**
 * Plays an EventBridge schedule for the local stack: invokes the function every `intervalMs`, never two
 * runs at once, and logs a run that fails (the next one tries again, as in AWS).
 */
export function startSchedule(options: { name: string; intervalMs: number; handler: ScheduledHandler; log: (line: string) => void }): { stop(): Promise<void> } {
  let running: Promise<unknown> | undefined;
  const timer = setInterval(() => {
    if (running) return;
    running = options
      .handler({ source: 'local.schedule', 'detail-type': 'Scheduled Event' }, lambdaContext(options.name))
      .catch((error: unknown) => options.log(`${options.name} failed: ${error instanceof Error ? error.message : String(error)}`))
      .finally(() => (running = undefined));
  }, options.intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
