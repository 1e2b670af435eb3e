// `npm start` as a process: it prints its URLs, serves, and exits 0 on SIGTERM or SIGINT.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

function startProcess(args: string[]): { child: ChildProcess; output: () => string; ready: Promise<string> } {
  // As `npm start` runs it: one node process with tsx's loader. (tsx's own CLI is a parent that relays a signal
  // and exits 143 when its child does not acknowledge it within 30 ms, which a busy machine misses.)
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'local', 'start.ts'), ...args], {
    cwd: ROOT,
    env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const ready = new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      const match = /page\s+(http:\/\/\S+)\//.exec(text);
      if (match?.[1] && text.includes('Stop with Ctrl-C')) resolve(match[1]);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code} before ready:\n${text}`)));
  });
  return { child, output: () => text, ready };
}

const exitOf = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });

describe('npm start process', () => {
  const started: ChildProcess[] = [];
  afterEach(() => {
    for (const child of started.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('serves on a free port and stops cleanly on %s', async (signal) => {
    // Prepare
    const run = startProcess(['--port', '0', '--no-demo']);
    started.push(run.child);

    // Act
    const url = await run.ready;
    const status = await fetch(`${url}/local/status`);
    const page = await fetch(`${url}/`);
    run.child.kill(signal);
    const code = await exitOf(run.child);

    // Assess
    expect(status.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(run.output()).toContain('none: the query API is unauthenticated on loopback');
    expect(run.output()).toContain(`${signal}: stopping`);
    expect(code).toBe(0);
  });

  it('is what npm start runs', () => {
    const scripts = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts as Record<
      string,
      string
    >;
    expect(scripts.start).toBe('node --import tsx local/start.ts');
  });

  it('refuses a bad option with exit code 2 and the usage', async () => {
    // Act
    const run = startProcess(['--port', 'many']);
    started.push(run.child);
    const code = await exitOf(run.child);

    // Assess
    expect(code).toBe(2);
    expect(run.output()).toContain('usage: npm start');
    run.ready.catch(() => undefined);
  });
});
