import { Presets, SingleBar } from 'cli-progress';
import type { Progress } from './runner.js';

/**
 * The run's progress on `out`: one line updated in place on a terminal (a bar of the requests done:
 * answered, failed, or left unsent at the deadline), or a plain line every few seconds anywhere else
 * (a pipe, a log, a test).
 */
export function progressLine(out: NodeJS.WriteStream, planned: number, { everyMs = 5000 }: { everyMs?: number } = {}) {
  const describe = (p: Progress) =>
    `${(p.elapsedMs / 1000).toFixed(1)}s, sent ${p.sent}/${p.planned}, done ${p.done}, in flight ${p.inFlight}, errors ${p.errors}`;

  if (!out.isTTY) {
    let lastLine = -Infinity;
    let last: Progress | undefined;
    return {
      update(progress: Progress) {
        last = progress;
        if (progress.elapsedMs - lastLine < everyMs) return;
        lastLine = progress.elapsedMs;
        out.write(`load: ${describe(progress)}\n`);
      },
      stop() {
        if (last) out.write(`load: ${describe(last)}, done\n`);
      },
    };
  }

  const bar = new SingleBar(
    { stream: out, format: 'load [{bar}] {value}/{total} done | {seconds}s | sent {sent} | in flight {inFlight} | errors {errors} | {rate} req/s', hideCursor: true, fps: 5 },
    Presets.shades_classic,
  );
  bar.start(planned, 0, { seconds: '0.0', sent: 0, inFlight: 0, errors: 0, rate: '0.0' });
  return {
    update(progress: Progress) {
      bar.update(progress.done, {
        seconds: (progress.elapsedMs / 1000).toFixed(1),
        sent: progress.sent,
        inFlight: progress.inFlight,
        errors: progress.errors,
        rate: progress.elapsedMs > 0 ? ((progress.done * 1000) / progress.elapsedMs).toFixed(1) : '0.0',
      });
    },
    stop: () => bar.stop(),
  };
}
