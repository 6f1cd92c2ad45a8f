// Small helpers shared by the benchmarks: timing loops and formatting.
import os from 'node:os';

/** Runs `fn` in batches for about `ms` milliseconds after a warm-up; returns per-call stats in ns. */
export function measure(fn, { ms = 400, batch = 50, warmup = 200 } = {}) {
  for (let i = 0; i < warmup; i++) fn();
  const samples = [];
  const end = performance.now() + ms;
  while (performance.now() < end) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) fn();
    samples.push(Number(process.hrtime.bigint() - t0) / batch);
  }
  samples.sort((a, b) => a - b);
  const q = (p) => samples[Math.min(samples.length - 1, Math.floor(p * samples.length))];
  return { median_ns: q(0.5), p90_ns: q(0.9), samples: samples.length };
}

/** Percentile of a sorted or unsorted list of numbers. */
export function percentile(values, p) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
}

export const fmtNs = (ns) => (ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : ns >= 1e3 ? `${(ns / 1e3).toFixed(2)} µs` : `${ns.toFixed(0)} ns`);
export const fmtBytes = (b) => (b >= 1024 * 1024 ? `${(b / 1024 / 1024).toFixed(2)} MiB` : `${(b / 1024).toFixed(1)} KiB`);
export const ratio = (a, b) => `${(a / b).toFixed(1)}x`;

export function machine() {
  const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
  return `${os.cpus().length} x ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`;
}

/** A markdown table from rows of objects (keys of the first row are the columns). */
export function table(rows) {
  if (!rows.length) return '';
  const cols = Object.keys(rows[0]);
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(cols), line(cols.map(() => '---')), ...rows.map((r) => line(cols.map((c) => String(r[c] ?? ''))))].join('\n');
}
