// README's "Run it locally" protection table states limits the code enforces: it must state the code's values.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SNS_MAX_MESSAGE_AGE_MS } from '../../local/sns-endpoint.ts';
import { API_CONCURRENCY, API_QUEUE_LIMIT } from '../../local/stack.ts';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const section = readme.slice(readme.indexOf('## Run it locally'), readme.indexOf('## Deploy'));

describe("README's local-stack protections", () => {
  it('state the query API bounds the stack enforces', () => {
    expect(section).toContain(
      `the query API runs ${API_CONCURRENCY} requests at once with ${API_QUEUE_LIMIT} waiting; beyond that it answers \`503\``,
    );
  });

  it('state the age bound of signed SNS messages', () => {
    expect(section).toContain(`sent at most ${SNS_MAX_MESSAGE_AGE_MS / 60_000} minutes ago`);
  });

  it('name every protected path off loopback', () => {
    for (const phrase of [
      '`Authorization: Bearer <token>`',
      'SigV4 signature with the token',
      '--topic-arn',
      'DNS rebinding',
    ]) {
      expect(section).toContain(phrase);
    }
  });
});
