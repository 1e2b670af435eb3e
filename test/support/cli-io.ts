// The streams a `ses-bounce` subcommand is run with in tests: no input, and what it writes kept as text.
import { PassThrough, Writable } from 'node:stream';
import type { CliIo } from '../../lambdas/cli/command.ts';

function textSink() {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  return { stream, text: () => text };
}

/** Runs `command` with an empty stdin and captured stdout/stderr; resolves to its exit code and both texts. */
export async function runWithCapturedIo(
  command: (io: CliIo) => Promise<number>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = textSink();
  const stderr = textSink();
  const code = await command({ stdin: new PassThrough(), stdout: stdout.stream, stderr: stderr.stream });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}
