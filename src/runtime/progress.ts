/**
 * Progress on stderr: one line redrawn in place on a TTY, a plain log line every few seconds
 * otherwise (CI logs, files). stdout is never touched: it stays clean for data.
 */
export interface ProgressSnapshot {
  done: number;
  target?: number;
  accepted: number;
  rejected: number;
  tokens?: number;
  costUsd?: number;
}

export interface Progress {
  update(snapshot: ProgressSnapshot): void;
  /** Print the final state on its own line. */
  finish(snapshot: ProgressSnapshot): void;
}

export interface ProgressOptions {
  label: string;
  stream?: NodeJS.WriteStream;
  /** Plain-mode interval; default 5 s, or INSTRUCTFORGE_PROGRESS_MS. */
  intervalMs?: number;
}

export function createProgress(options: ProgressOptions): Progress {
  const stream = options.stream ?? process.stderr;
  const tty = Boolean(stream.isTTY);
  const intervalMs = options.intervalMs ?? Number(process.env.INSTRUCTFORGE_PROGRESS_MS ?? (tty ? 100 : 5000));
  const startedAt = Date.now();
  let lastPrinted = 0;
  let firstDone: number | undefined;

  const render = (s: ProgressSnapshot): string => {
    const elapsed = (Date.now() - startedAt) / 1000;
    firstDone ??= s.done;
    return formatProgressLine(options.label, s, elapsed, firstDone);
  };

  return {
    update(snapshot) {
      const now = Date.now();
      if (now - lastPrinted < intervalMs) return;
      lastPrinted = now;
      if (tty) stream.write(`\r\x1b[2K${render(snapshot)}`);
      else stream.write(`${render(snapshot)}\n`);
    },
    finish(snapshot) {
      stream.write(`${tty ? "\r\x1b[2K" : ""}${render(snapshot)}\n`);
    },
  };
}

export function formatProgressLine(label: string, s: ProgressSnapshot, elapsedSeconds: number, doneAtStart = 0): string {
  const parts = [`[${label}]`, s.target ? `${s.done}/${s.target}` : `${s.done}`];
  if (s.target) parts.push(`${((100 * s.done) / s.target).toFixed(1)}%`);
  parts.push(`accepted ${s.accepted}`, `rejected ${s.rejected}`);
  if (s.tokens !== undefined) parts.push(`tokens ${formatCount(s.tokens)}`);
  if (s.costUsd !== undefined) parts.push(`$${s.costUsd.toFixed(4)}`);
  const rate = (s.done - doneAtStart) / Math.max(elapsedSeconds, 1e-3);
  if (s.target && rate > 0 && s.done < s.target) parts.push(`ETA ${formatDuration((s.target - s.done) / rate)}`);
  parts.push(`elapsed ${formatDuration(elapsedSeconds)}`);
  return parts.join("  ");
}

function formatCount(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e4 ? `${(n / 1e3).toFixed(1)}K` : String(n);
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}
