// Runs the real `ses-bounce` bin (node bin/ses-bounce.mjs) as a child process, with stdin, and checks output and
// exit codes.

import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CATEGORIES, VERDICTS } from '../../lambdas/domain/classification.ts';
import { classifyBounce } from '../../lambdas/domain/classify.ts';

const BIN = fileURLToPath(new URL('../../bin/ses-bounce.mjs', import.meta.url));

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(args: string[], stdin: string | Buffer = '', env = process.env): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (data: string) => {
      stdout += data;
    });
    child.stderr.setEncoding('utf8').on('data', (data: string) => {
      stderr += data;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

const lines = (text: string) => text.split('\n').filter((line) => line.length > 0);

describe.concurrent('ses-bounce', () => {
  it('prints help listing the commands', async () => {
    const result = await runCli(['--help']);

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/explain\s+explain SMTP enhanced status codes/);
    expect(result.stdout).toMatch(/classify\s+classify a bounce/);
  });

  it('exits 2 with help on stderr when no command is given', async () => {
    const result = await runCli([]);

    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('Usage: ses-bounce <command>');
  });

  it('exits 2 for an unknown command and names the known ones', async () => {
    const result = await runCli(['frobnicate']);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown command "frobnicate"');
    expect(result.stderr).toContain('explain, classify');
  });
});

/** An environment naming no AWS region or credentials (no files, no variables, no instance metadata: no network). */
function withoutAwsSetup(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('AWS_')));
  return {
    ...env,
    AWS_CONFIG_FILE: '/nonexistent/aws/config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws/credentials',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

describe.concurrent('ses-bounce commands that call AWS, on a machine without AWS setup', () => {
  const queueUrl = 'https://sqs.us-east-1.amazonaws.com/123456789012/failures';

  it.each([
    ['redrive', '--dlq', queueUrl],
    ['backfill-expiry', '--table', 'T', '--dry-run'],
    ['backfill-pointers', '--table', 'T', '--dry-run'],
    ['redrive-counters', '--queue-url', queueUrl, '--table', 'T'],
  ])('%s without a region says so and exits 2, not as an internal error', async (...args) => {
    const result = await runCli(args, '', withoutAwsSetup());

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`ses-bounce ${args[0]}: no AWS region: pass --region REGION`);
    expect(result.stderr).not.toContain('internal error');
  });

  it('redrive --dlq with a queue ARN takes the region from the ARN (then finds no credentials)', async () => {
    const args = ['redrive', '--dlq', 'arn:aws:sqs:eu-west-1:123456789012:SesBounceProcessor-Dlq'];
    const result = await runCli(args, '', withoutAwsSetup());

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('ses-bounce redrive: no AWS credentials found');
    expect(result.stderr).not.toContain('no AWS region');
  });

  it('redrive-counters --outputs takes the region from the queue ARN in the file (then finds no credentials)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ses-bounce-outputs-'));
    try {
      const outputs = join(dir, 'cdk-outputs.json');
      await writeFile(
        outputs,
        JSON.stringify({
          SesBounceProcessor: {
            TableName: 'SesBounceProcessor-Table',
            CountersFailureQueueArn: 'arn:aws:sqs:eu-west-1:123456789012:SesBounceProcessor-CountersFailures',
          },
        }),
      );
      const result = await runCli(['redrive-counters', '--outputs', outputs], '', withoutAwsSetup());

      expect(result.code).toBe(2);
      expect(result.stderr).toContain('ses-bounce redrive-counters: no AWS credentials found');
      expect(result.stderr).not.toContain('no AWS region');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('without credentials says so and exits 2', async () => {
    const args = ['backfill-expiry', '--table', 'T', '--dry-run', '--region', 'us-east-1'];
    const result = await runCli(args, '', withoutAwsSetup());

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('ses-bounce backfill-expiry: no AWS credentials found');
    expect(result.stderr).not.toContain('internal error');
  });
});

describe.concurrent('ses-bounce explain', () => {
  it('explains codes as text, with the guide correction', async () => {
    // Act
    const result = await runCli(['explain', '5.1.1', '4.2.2']);

    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('5.1.1  Bad destination mailbox address');
    expect(result.stdout).toContain('4.2.2  Mailbox full');
    expect(result.stdout).toMatch(/Class\s+4: Persistent transient failure/);
    expect(result.stdout).toMatch(/Causes\s+- /);
    expect(result.stdout).toMatch(/What to do\s+\S/);
    expect(result.stdout).toMatch(/Guide fix\s+The guide calls 4\.2\.2 "mailbox not accepting messages"/);
  });

  it('prints one JSON object per code per line, and exits 1 when one is not a code', async () => {
    // Act
    const result = await runCli(['explain', '--json', '5.1.1', '5.7.606', 'not-a-code']);

    // Assess
    expect(result.code).toBe(1);
    const objects = lines(result.stdout).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(objects.map((object) => object.code)).toEqual(['5.1.1', '5.7.606', null]);
    expect(objects[1]?.title).toBe('Access denied, banned sending IP');
    for (const object of objects) {
      expect(typeof object.title).toBe('string');
      expect(typeof object.meaning).toBe('string');
      expect(object).toHaveProperty('guideCorrection');
    }
  });

  it('exits 2 without codes', async () => {
    const result = await runCli(['explain']);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('give at least one code');
    expect(result.stderr).toContain('Usage: ses-bounce explain');
  });

  it('exits 2 for an unknown option', async () => {
    const result = await runCli(['explain', '--colour', '5.1.1']);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Unknown option '--colour'");
  });
});

describe.concurrent('ses-bounce classify with flags', () => {
  const input = {
    status: '5.1.1',
    diagnosticCode: 'smtp; 550 5.1.1 <jane@example.com>: Recipient address rejected: User unknown',
    bounceType: 'Permanent',
    bounceSubType: 'General',
    action: 'failed',
  };
  const flags = [
    '--status',
    input.status,
    '--diagnostic',
    input.diagnosticCode,
    '--bounce-type',
    input.bounceType,
    '--bounce-sub-type',
    input.bounceSubType,
    '--action',
    input.action,
  ];

  it('prints the classification as JSON with --json', async () => {
    // Act
    const result = await runCli(['classify', ...flags, '--json']);

    // Assess
    expect(result.code).toBe(0);
    const classification = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(classification).toEqual(JSON.parse(JSON.stringify(classifyBounce(input))));
    expect(VERDICTS).toContain(classification.verdict);
    expect(CATEGORIES).toContain(classification.category);
  });

  it('prints the classification as text', async () => {
    const expected = classifyBounce(input);

    const result = await runCli(['classify', ...flags]);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`verdict   ${expected.verdict}`);
    expect(result.stdout).toContain(`category  ${expected.category}`);
    expect(result.stdout).toContain(`suppress  ${expected.suppress ? 'yes' : 'no'}`);
    expect(result.stdout).toContain(`evidence  ${expected.evidence}`);
  });

  it('takes --smtp-command and shows the phase in the evidence', async () => {
    // sisimai set-of-emails email-exim-51.eml: "does not exist" answered to MAIL FROM is the sender's own domain
    const result = await runCli([
      'classify',
      '--status',
      '5.1.0',
      '--diagnostic',
      '553 5.1.0 neko22nyaan neko.example.com does not exist E2110',
      '--smtp-command',
      'MAIL',
      '--json',
    ]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ category: 'sender-rejected', verdict: 'soft' });
    expect(result.stdout).toContain('SMTP phase MAIL (smtpCommand)');
  });

  it('exits 2 for an unknown --smtp-command', async () => {
    const result = await runCli(['classify', '--status', '5.1.1', '--smtp-command', 'FROM']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--smtp-command must be one of CONN, HELO, EHLO, MAIL, RCPT, DATA, QUIT');
  });

  it('exits 2 for a bad --max-line-length', async () => {
    const result = await runCli(['classify', '--max-line-length', 'lots']);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--max-line-length must be a positive whole number');
  });
});

describe.concurrent('ses-bounce classify on a JSON Lines stream', () => {
  const good = [
    { status: '5.1.1', diagnosticCode: 'smtp; 550 5.1.1 user unknown', bounceType: 'Permanent' },
    {
      status: '5.2.2',
      diagnosticCode: 'smtp; 552 5.2.2 Mailbox full',
      bounceType: 'Transient',
      extra: [1, 2],
    },
    { diagnosticCode: null, bounceType: 'Undetermined' },
    {},
  ];

  it('writes one line per input line, in order, with errors at their positions, and exits 1', async () => {
    // Prepare: a malformed line, a wrong type and a blank line in the middle
    const input = [
      JSON.stringify(good[0]),
      '{"status": "5.1.1", broken',
      JSON.stringify(good[1]),
      '{"status": 511}',
      '   ',
      JSON.stringify(good[2]),
      '"just a string"',
      JSON.stringify(good[3]),
    ].join('\n');

    // Act
    const result = await runCli(['classify'], `${input}\n`);

    // Assess
    expect(result.code).toBe(1);
    const output = lines(result.stdout).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(output).toHaveLength(8);
    const expected = (i: number) => JSON.parse(JSON.stringify(classifyBounce(good[i] ?? {})));
    expect(output[0]).toEqual(expected(0));
    expect(output[1]).toEqual({ error: expect.stringMatching(/^line 2: invalid JSON/), line: 2 });
    expect(output[2]).toEqual(expected(1));
    expect(output[3]).toEqual({ error: 'line 4: "status" must be a string or null, got a number', line: 4 });
    expect(output[4]).toEqual({ error: 'line 5: blank line, expected a JSON object', line: 5 });
    expect(output[5]).toEqual(expected(2));
    expect(output[6]).toEqual({ error: 'line 7: expected a JSON object, got a string', line: 7 });
    expect(output[7]).toEqual(expected(3));
    expect(result.stderr).toContain('4 of 8 lines failed');
  });

  it('reads smtpCommand from JSON Lines and reports an unknown one at its line', async () => {
    // sisimai set-of-emails email-exim-51.eml, the reply alone and its phase as a field
    const record = {
      status: '5.1.0',
      diagnosticCode: '553 5.1.0 neko22nyaan neko.example.com does not exist E2110',
    };
    const input = [
      JSON.stringify({ ...record, smtpCommand: 'mail' }),
      JSON.stringify({ ...record, smtpCommand: 'frob' }),
      JSON.stringify(record),
    ].join('\n');

    const result = await runCli(['classify'], `${input}\n`);

    expect(result.code).toBe(1);
    const output = lines(result.stdout).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(output[0]).toMatchObject({ category: 'sender-rejected', verdict: 'soft', suppress: false });
    expect(output[0]?.evidence).toContain('SMTP phase MAIL (smtpCommand)');
    expect(output[1]).toEqual({
      error:
        'line 2: "smtpCommand" must be one of CONN, HELO, EHLO, MAIL, RCPT, DATA, QUIT (any case), got "frob"',
      line: 2,
    });
    expect(output[2]).toMatchObject({ category: 'unknown-recipient', verdict: 'hard' });
  });

  it('exits 0 when every line classifies, with CRLF line ends and no final newline', async () => {
    // Act
    const result = await runCli(['classify'], good.map((record) => JSON.stringify(record)).join('\r\n'));

    // Assess
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(lines(result.stdout).map((line) => JSON.parse(line))).toEqual(
      good.map((record) => JSON.parse(JSON.stringify(classifyBounce(record)))),
    );
  });

  it('skips a line longer than --max-line-length and goes on', async () => {
    // Prepare
    const long = JSON.stringify({ diagnosticCode: `550 ${'x'.repeat(5000)}` });
    const input = [JSON.stringify(good[0]), long, JSON.stringify(good[1])].join('\n');

    // Act
    const result = await runCli(['classify', '--max-line-length', '1000'], input);

    // Assess
    expect(result.code).toBe(1);
    const output = lines(result.stdout).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(output).toHaveLength(3);
    expect(output[1]).toEqual({
      error: `line 2: line of ${long.length} characters exceeds --max-line-length; skipped`,
      line: 2,
    });
    expect(output[2]).toEqual(JSON.parse(JSON.stringify(classifyBounce(good[1] ?? {}))));
  });

  it('classifies a line carrying a 10 MB diagnostic', async () => {
    // Prepare
    const record = { status: '5.0.0', diagnosticCode: `550 ${'x'.repeat(10 * 1024 * 1024)} user unknown` };

    // Act
    const result = await runCli(['classify'], `${JSON.stringify(record)}\n`);

    // Assess
    expect(result.code).toBe(0);
    expect(lines(result.stdout).map((line) => JSON.parse(line))).toEqual([
      JSON.parse(JSON.stringify(classifyBounce(record))),
    ]);
  });

  it('survives bytes that are not UTF-8', async () => {
    // Prepare: invalid bytes inside a JSON string, then a line of pure garbage
    const input = Buffer.concat([
      Buffer.from('{"diagnosticCode":"550 5.1.1 '),
      Buffer.from([0xff, 0xfe]),
      Buffer.from(' unknown"}\n'),
      Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0x0a]),
    ]);

    // Act
    const result = await runCli(['classify'], input);

    // Assess
    expect(result.code).toBe(1);
    const output = lines(result.stdout).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(output).toHaveLength(2);
    expect(VERDICTS).toContain(output[0]?.verdict);
    expect(output[1]).toEqual({ error: expect.stringMatching(/^line 2: invalid JSON/), line: 2 });
  });

  it('writes the same output with worker threads as without, errors included', async () => {
    // Prepare: 12,000 lines of about 300 bytes (3.6 MB: past the blocks classified before workers start), with
    // bad lines inside later blocks
    const note = 'n'.repeat(240);
    const records = Array.from({ length: 12_000 }, (_, i) =>
      JSON.stringify({ ...good[i % good.length], note }),
    );
    records[4999] = '{"status": ';
    records[7000] = JSON.stringify({ diagnosticCode: `550 ${'y'.repeat(3000)}` });
    records[11_999] = '[]';
    const input = records.join('\n');

    // Act
    const threaded = await runCli(['classify', '--threads', '3', '--max-line-length', '2000'], input);
    const single = await runCli(['classify', '--threads', '1', '--max-line-length', '2000'], input);

    // Assess
    expect(threaded.code).toBe(1);
    expect(single.code).toBe(1);
    expect(threaded.stdout).toBe(single.stdout);
    const output = lines(threaded.stdout);
    expect(output).toHaveLength(12_000);
    expect(output[4999]).toMatch(/^\{"error":"line 5000: invalid JSON/);
    expect(output[7000]).toMatch(/^\{"error":"line 7001: line of \d+ characters exceeds/);
    expect(output[11_999]).toBe('{"error":"line 12000: expected a JSON object, got an array","line":12000}');
    expect(threaded.stderr).toContain('3 of 12000 lines failed');
  });

  it('streams many lines in order', async () => {
    // Prepare: 20,000 lines whose status encodes their position
    const count = 20_000;
    const input = Array.from({ length: count }, (_, i) =>
      JSON.stringify({ status: `5.${i % 8}.${i % 31}`, diagnosticCode: `550 line ${i}` }),
    ).join('\n');

    // Act
    const result = await runCli(['classify'], input);

    // Assess
    expect(result.code).toBe(0);
    const output = lines(result.stdout);
    expect(output).toHaveLength(count);
    const sample = [0, 1, 7777, count - 1];
    for (const i of sample) {
      const record = { status: `5.${i % 8}.${i % 31}`, diagnosticCode: `550 line ${i}` };
      expect(JSON.parse(output[i] ?? '')).toEqual(JSON.parse(JSON.stringify(classifyBounce(record))));
    }
  });
});
