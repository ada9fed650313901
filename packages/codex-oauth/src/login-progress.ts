/** A writable the progress line goes to (stderr in the CLI). */
export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

/** A running progress indicator. */
export interface LoginProgress {
  /** Replace the waiting text. */
  update(text: string): void;
  /** Stop and print one final line (or just clear the spinner). Idempotent. */
  stop(finalLine?: string): void;
}

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/**
 * A visible "waiting" indicator for sign-in. On a TTY it redraws a spinner with the
 * elapsed time every `intervalMs` (default 100 ms) on one line; elsewhere (pipes, CI logs)
 * it prints the waiting line once and never animates. The timer is unref'd so it can never
 * keep the process alive.
 */
export function createLoginProgress(
  stream: ProgressStream,
  text: string,
  options: { intervalMs?: number; now?: () => number; tty?: boolean } = {},
): LoginProgress {
  const now = options.now ?? Date.now;
  const tty = options.tty ?? stream.isTTY === true;
  const started = now();
  let label = text;
  let frame = 0;
  let stopped = false;
  const draw = () => {
    const secs = Math.floor((now() - started) / 1000);
    stream.write(`\r\x1b[2K${FRAMES[frame++ % FRAMES.length]} ${label} (${secs}s, Ctrl-C to cancel)`);
  };
  let timer: ReturnType<typeof setInterval> | undefined;
  if (tty) {
    draw();
    timer = setInterval(draw, options.intervalMs ?? 100);
    timer.unref?.();
  } else {
    stream.write(`${label} (Ctrl-C to cancel)\n`);
  }
  return {
    update(next) {
      if (stopped || next === label) return;
      label = next;
      if (tty) draw();
      else stream.write(`${label}\n`);
    },
    stop(finalLine) {
      if (stopped) return;
      stopped = true;
      if (timer) clearInterval(timer);
      if (tty) stream.write("\r\x1b[2K");
      if (finalLine) stream.write(`${finalLine}\n`);
    },
  };
}
