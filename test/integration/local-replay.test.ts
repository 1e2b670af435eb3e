// The replay tool's file handling (formats, timestamp shift, globs) and `npm start` argument parsing.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  expandFileArguments,
  loadSnsPosts,
  shiftTimestamps,
  toSnsPosts,
} from '../../local/notification-files.ts';
import { main as replayMain } from '../../local/replay.ts';
import { alreadySuppressedBySes, parseStartArguments } from '../../local/start.ts';

const bounce = {
  notificationType: 'Bounce',
  bounce: {
    bounceType: 'Permanent',
    bounceSubType: 'General',
    bouncedRecipients: [{ emailAddress: 'a@example.com' }],
    timestamp: '2026-10-10T10:00:00.000Z',
    feedbackId: 'f',
  },
  mail: {
    timestamp: '2026-10-10T09:59:58.5Z',
    messageId: 'm',
    destination: ['a@example.com'],
    commonHeaders: { date: 'Sat, 10 Oct 2026 09:59:58 +0000' },
  },
};

describe('shiftTimestamps', () => {
  it('moves ISO timestamps at any depth, keeps their precision, and leaves other strings alone', () => {
    // Act
    const shifted = shiftTimestamps(bounce, 86_400_000) as typeof bounce;

    // Assess
    expect(shifted.bounce.timestamp).toBe('2026-10-11T10:00:00.000Z');
    expect(shifted.mail.timestamp).toBe('2026-10-11T09:59:58.5Z');
    expect(shifted.mail.commonHeaders.date).toBe('Sat, 10 Oct 2026 09:59:58 +0000');
    expect(shifted.bounce.feedbackId).toBe('f');
  });

  it("understands the AWS documentation's odd '… +0000' form", () => {
    expect(shiftTimestamps('2018-10-08T14:05:45 +0000', 1000)).toBe('2018-10-08T14:05:46Z');
  });
});

describe('toSnsPosts', () => {
  it('posts a bare SES document as the SNS text/plain body', () => {
    const [post] = toSnsPosts('f.json', bounce);
    expect(post?.headers['content-type']).toBe('text/plain; charset=UTF-8');
    expect(JSON.parse(post?.body ?? '')).toEqual(bounce);
  });

  it("unwraps a Lambda SNSEvent into SNS's HTTP spelling and shifts the inner message, keeping its newline", () => {
    // Prepare
    const lambdaEvent = {
      Records: [
        {
          EventSource: 'aws:sns',
          Sns: {
            Type: 'Notification',
            MessageId: 'id-1',
            TopicArn: 'arn:aws:sns:us-east-1:123456789012:t',
            Subject: null,
            Message: `${JSON.stringify(bounce)}\n`,
            Timestamp: '2026-10-10T10:00:01.000Z',
            SignatureVersion: '1',
            Signature: 'x',
            SigningCertUrl: 'https://sns.us-east-1.amazonaws.com/c.pem',
            UnsubscribeUrl: 'https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe',
            MessageAttributes: {},
          },
        },
      ],
    };

    // Act
    const [post] = toSnsPosts('e.json', lambdaEvent, 60_000);
    const message = JSON.parse(post?.body ?? '{}') as Record<string, unknown>;

    // Assess
    expect(post?.origin).toBe('e.json#0');
    expect(post?.headers['x-amz-sns-message-type']).toBe('Notification');
    expect(Object.keys(message).sort()).toEqual(
      [
        'Message',
        'MessageId',
        'Signature',
        'SignatureVersion',
        'SigningCertURL',
        'Timestamp',
        'TopicArn',
        'Type',
        'UnsubscribeURL',
      ].sort(),
    );
    expect(message.Timestamp).toBe('2026-10-10T10:01:01.000Z');
    expect(String(message.Message).endsWith('}\n')).toBe(true);
    expect(JSON.parse(String(message.Message)).bounce.timestamp).toBe('2026-10-10T10:01:00.000Z');
  });
});

describe('file arguments and the shift to now', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'replay-'));
    await mkdir(join(dir, 'nested'));
    await writeFile(join(dir, 'b.json'), JSON.stringify(bounce));
    await writeFile(join(dir, 'a.json'), JSON.stringify(shiftTimestamps(bounce, -86_400_000)));
    await writeFile(join(dir, 'notes.txt'), 'not a sample');
    await writeFile(join(dir, 'nested', 'c.json'), JSON.stringify(bounce));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('expands directories, single-segment and ** globs, sorted', async () => {
    expect(await expandFileArguments([dir])).toEqual([join(dir, 'a.json'), join(dir, 'b.json')]);
    expect(await expandFileArguments(['*.json'], dir)).toEqual([join(dir, 'a.json'), join(dir, 'b.json')]);
    expect(await expandFileArguments([`${dir}/**/*.json`])).toEqual([
      join(dir, 'a.json'),
      join(dir, 'b.json'),
      join(dir, 'nested', 'c.json'),
    ]);
    await expect(expandFileArguments(['*.xml'], dir)).rejects.toThrow('no file matches');
  });

  it('moves every file by one delta so the newest event is ten minutes before now', async () => {
    // Act
    const posts = await loadSnsPosts([join(dir, 'a.json'), join(dir, 'b.json')], {
      shiftToNow: new Date('2026-11-26T12:00:30Z'),
    });
    const times = posts.map((post) => JSON.parse(post.body).bounce.timestamp);

    // Assess
    expect(times).toEqual(['2026-11-25T11:50:00.000Z', '2026-11-26T11:50:00.000Z']);
  });
});

describe('npm run replay', () => {
  let server: Server;
  let received: Array<{ type: string | undefined; body: string }>;
  let url: string;
  beforeEach(async () => {
    received = [];
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        received.push({ type: req.headers['content-type'], body });
        const refused = body.includes('"refuse-me"');
        res.writeHead(refused ? 400 : 200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(refused ? { error: { message: 'nope' } } : { status: 'queued' }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('posts each file to /sns and exits 1 when any was refused', async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), 'replay-cli-'));
    await writeFile(join(dir, 'ok.json'), JSON.stringify(bounce));
    await writeFile(join(dir, 'bad.json'), JSON.stringify({ ...bounce, notificationType: 'refuse-me' }));
    const output = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);

    // Act
    const okCode = await replayMain(['--url', url, '--no-wait', join(dir, 'ok.json')]);
    const mixedCode = await replayMain(['--url', url, '--no-wait', `${dir}/*.json`]);
    output.mockRestore();
    await rm(dir, { recursive: true, force: true });

    // Assess
    expect(okCode).toBe(0);
    expect(mixedCode).toBe(1);
    expect(received).toHaveLength(3);
    expect(received[0]?.type).toBe('text/plain; charset=UTF-8');
  });

  it('exits 2 with usage when given no file', async () => {
    const errors = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const code = await replayMain([]);
    errors.mockRestore();
    expect(code).toBe(2);
  });
});

describe('npm start arguments', () => {
  it('defaults to 127.0.0.1:3000, in memory, with the demo', () => {
    expect(parseStartArguments([])).toEqual({
      port: 3000,
      host: '127.0.0.1',
      dataDir: null,
      demo: true,
      topicArns: [],
    });
  });

  it('takes --port, --host, --data, --no-demo and repeated --topic-arn', () => {
    const topics = [
      'arn:aws:sns:eu-west-1:123456789012:ses-feedback',
      'arn:aws:sns:eu-west-1:123456789012:events',
    ];
    expect(
      parseStartArguments(
        ['--port', '8080', '--host', '0.0.0.0', '--data', '/tmp/x', '--no-demo'].concat(
          topics.flatMap((topic) => ['--topic-arn', topic]),
        ),
      ),
    ).toEqual({
      port: 8080,
      host: '0.0.0.0',
      dataDir: '/tmp/x',
      demo: false,
      topicArns: topics,
    });
  });

  it.each([[['--port', 'abc']], [['--port', '70000']], [['--verbose']], [['--topic-arn', 'ses-feedback']]])(
    'rejects %j',
    (argv) => {
      expect(() => parseStartArguments(argv)).toThrow();
    },
  );
});

describe('demo seeding of the emulated SES list', () => {
  it('lists the addresses the samples say SES had suppressed already, normalised', async () => {
    // Prepare
    const samples = join(import.meta.dirname, '..', '..', 'samples');
    const posts = await loadSnsPosts(
      [
        '01-bounce-permanent-general-gmail-5.1.1.json',
        '04-bounce-permanent-onaccountsuppressionlist-display-name.json',
      ]
        .concat('17-complaint-onaccountsuppressionlist.json', 'sns-http-subscription-confirmation.json')
        .map((name) => join(samples, name)),
    );

    // Act
    const entries = alreadySuppressedBySes(posts);

    // Assess
    expect(entries).toEqual([
      { emailAddress: 'jane.roe@example.org', reason: 'BOUNCE' },
      { emailAddress: 'previously.complained@example.com', reason: 'COMPLAINT' },
    ]);
  });
});
