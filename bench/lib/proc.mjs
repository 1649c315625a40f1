/** Child processes for the harness: spawn with captured output, peak-RSS sampling, bounded stop. */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * Memory of a live process in MiB, or undefined once it is gone: the peak resident set (VmHWM), the current one
 * (VmRSS) and its anonymous (heaps) and file-backed (mapped files such as LMDB's and RocksDB's, code) parts.
 */
export function memoryMiB(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name) => {
      const m = new RegExp(`${name}:\\s+(\\d+) kB`).exec(status);
      return m ? Number(m[1]) / 1024 : undefined;
    };
    const hwm = field('VmHWM');
    return hwm === undefined ? undefined : { hwm, rss: field('VmRSS') ?? 0, anon: field('RssAnon') ?? 0, file: field('RssFile') ?? 0 };
  } catch {
    return undefined;
  }
}

/**
 * Starts `command` with stdout/stderr captured (the last 64 KiB of each). `onLine` sees stdout lines. The returned
 * handle samples VmHWM every 200 ms while the child lives, so `peakRss` survives the child's exit.
 */
export function startChild(command, args, { cwd, env, onLine } = {}) {
  const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const handle = { child, stdout: '', stderr: '', peakRss: undefined, peakAnon: undefined, peakFile: undefined, exitCode: undefined, signal: undefined };
  let partial = '';
  child.stdout.on('data', (chunk) => {
    const text = chunk.toString();
    handle.stdout = (handle.stdout + text).slice(-65_536);
    partial += text;
    let nl;
    while ((nl = partial.indexOf('\n')) >= 0) {
      const line = partial.slice(0, nl);
      partial = partial.slice(nl + 1);
      onLine?.(line);
    }
  });
  child.stderr.on('data', (chunk) => {
    handle.stderr = (handle.stderr + chunk.toString()).slice(-65_536);
  });
  const sample = () => {
    const mem = memoryMiB(child.pid);
    if (mem === undefined) return;
    handle.peakRss = Math.max(handle.peakRss ?? 0, mem.hwm);
    handle.peakAnon = Math.max(handle.peakAnon ?? 0, mem.anon);
    handle.peakFile = Math.max(handle.peakFile ?? 0, mem.file);
  };
  const sampler = setInterval(sample, 200);
  handle.sample = sample;
  handle.exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      clearInterval(sampler);
      handle.exitCode = code;
      handle.signal = signal;
      resolve(handle);
    });
  });
  return handle;
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the child is gone. */
export async function stopChild(handle, graceMs = 30_000) {
  if (handle.exitCode !== undefined || handle.signal !== undefined) return handle;
  handle.child.kill('SIGTERM');
  const timer = setTimeout(() => handle.child.kill('SIGKILL'), graceMs);
  await handle.exited;
  clearTimeout(timer);
  return handle;
}

/** Runs a command to completion within `timeoutMs`; resolves with its output and exit code. */
export async function runToEnd(command, args, { cwd, env, timeoutMs = 600_000 } = {}) {
  const handle = startChild(command, args, { cwd, env });
  const timer = setTimeout(() => handle.child.kill('SIGKILL'), timeoutMs);
  await handle.exited;
  clearTimeout(timer);
  return handle;
}

/** The last `n` lines of a child's output, on one line, for a status cell. */
export function lastLines(text, n = 3) {
  return (text ?? '').trim().split('\n').slice(-n).join(' | ').slice(0, 400);
}
