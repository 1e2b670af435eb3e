import {
  DeleteSuppressedDestinationCommand,
  GetSuppressedDestinationCommand,
  ListSuppressedDestinationsCommand,
  PutSuppressedDestinationCommand,
  paginateListSuppressedDestinations,
  SESv2Client,
  type SESv2ServiceException,
} from '@aws-sdk/client-sesv2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type Sesv2SuppressionServer,
  startSesv2SuppressionServer,
} from '../../local/sesv2-suppression-server.ts';

const credentials = { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' };
const clientFor = (url: string, maxAttempts = 3) =>
  new SESv2Client({ endpoint: url, region: 'us-east-1', credentials, maxAttempts });

async function failureOf(promise: Promise<unknown>): Promise<SESv2ServiceException> {
  try {
    await promise;
  } catch (error) {
    return error as SESv2ServiceException;
  }
  throw new Error('expected the call to fail');
}

describe('SESv2 suppression-list emulator with the real SESv2Client', () => {
  let server: Sesv2SuppressionServer;
  let clock: Date;

  beforeEach(async () => {
    clock = new Date('2026-11-01T10:00:00.250Z');
    server = await startSesv2SuppressionServer({ now: () => clock });
  });
  afterEach(async () => {
    await server.close();
  });

  it('puts, gets, lists and deletes a destination at the real REST paths', async () => {
    // Prepare
    const client = clientFor(server.url);

    // Act
    await client.send(
      new PutSuppressedDestinationCommand({ EmailAddress: 'dead@example.com', Reason: 'BOUNCE' }),
    );
    const got = await client.send(new GetSuppressedDestinationCommand({ EmailAddress: 'dead@example.com' }));
    const listed = await client.send(new ListSuppressedDestinationsCommand({}));
    await client.send(new DeleteSuppressedDestinationCommand({ EmailAddress: 'dead@example.com' }));

    // Assess
    expect(got.SuppressedDestination?.EmailAddress).toBe('dead@example.com');
    expect(got.SuppressedDestination?.Reason).toBe('BOUNCE');
    expect(got.SuppressedDestination?.LastUpdateTime?.toISOString()).toBe('2026-11-01T10:00:00.250Z');
    expect(listed.SuppressedDestinationSummaries?.map((s) => s.EmailAddress)).toEqual(['dead@example.com']);
    expect(server.entries()).toEqual([]);
    expect(server.calls().map((c) => `${c.method} ${c.status}`)).toEqual([
      'PUT 200',
      'GET 200',
      'GET 200',
      'DELETE 200',
    ]);
  });

  it('percent-decodes the address label so plus signs and @ survive the round trip', async () => {
    // Prepare
    const client = clientFor(server.url);
    const address = 'Jane.Doe+news@Example.com';

    // Act
    await client.send(new PutSuppressedDestinationCommand({ EmailAddress: address, Reason: 'COMPLAINT' }));
    const got = await client.send(new GetSuppressedDestinationCommand({ EmailAddress: address }));

    // Assess
    expect(got.SuppressedDestination?.EmailAddress).toBe(address);
    expect(server.calls()[1]?.path).toBe('/v2/email/suppression/addresses/Jane.Doe%2Bnews%40Example.com');
    expect(server.get(address)?.reason).toBe('COMPLAINT');
  });

  it('answers 404 NotFoundException for an address that is not listed, for Get and Delete', async () => {
    // Prepare
    const client = clientFor(server.url);

    // Act
    const getError = await failureOf(
      client.send(new GetSuppressedDestinationCommand({ EmailAddress: 'nobody@example.com' })),
    );
    const deleteError = await failureOf(
      client.send(new DeleteSuppressedDestinationCommand({ EmailAddress: 'nobody@example.com' })),
    );

    // Assess
    for (const error of [getError, deleteError]) {
      expect(error.name).toBe('NotFoundException');
      expect(error.$metadata.httpStatusCode).toBe(404);
      expect(error.message).toContain('nobody@example.com does not exist on your suppression list');
    }
  });

  it('rejects an invalid Reason or address with 400 BadRequestException', async () => {
    // Prepare
    const client = clientFor(server.url);

    // Act
    const badAddress = await failureOf(
      client.send(new PutSuppressedDestinationCommand({ EmailAddress: 'not an address', Reason: 'BOUNCE' })),
    );
    const badReason = await failureOf(
      fetch(`${server.url}/v2/email/suppression/addresses`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ EmailAddress: 'a@example.com', Reason: 'SPAM' }),
      }).then(async (response) => {
        throw Object.assign(new Error(((await response.json()) as { message: string }).message), {
          name: response.headers.get('x-amzn-errortype') ?? '',
          $metadata: { httpStatusCode: response.status },
        });
      }),
    );

    // Assess
    expect(badAddress.name).toBe('BadRequestException');
    expect(badAddress.$metadata.httpStatusCode).toBe(400);
    expect(badReason.name).toBe('BadRequestException');
    expect(badReason.message).toContain('Invalid Reason');
    expect(server.entries()).toEqual([]);
  });

  it('throttles with 429 TooManyRequestsException from a scripted sequence, then succeeds', async () => {
    // Prepare
    server.setFaults({ sequence: [429, 200] });
    const singleAttempt = clientFor(server.url, 1);

    // Act
    const throttled = await failureOf(
      singleAttempt.send(
        new PutSuppressedDestinationCommand({ EmailAddress: 'x@example.com', Reason: 'BOUNCE' }),
      ),
    );
    await singleAttempt.send(
      new PutSuppressedDestinationCommand({ EmailAddress: 'x@example.com', Reason: 'BOUNCE' }),
    );

    // Assess
    expect(throttled.name).toBe('TooManyRequestsException');
    expect(throttled.$metadata.httpStatusCode).toBe(429);
    expect(server.entries().map((e) => e.emailAddress)).toEqual(['x@example.com']);
    expect(server.calls().map((c) => c.status)).toEqual([429, 200]);
  });

  it('lets the SDK retry through a throttle when it has attempts left', async () => {
    // Prepare
    server.setFaults({ sequence: [429] });
    const client = clientFor(server.url, 3);

    // Act
    await client.send(
      new PutSuppressedDestinationCommand({ EmailAddress: 'y@example.com', Reason: 'BOUNCE' }),
    );

    // Assess
    expect(server.calls().map((c) => c.errorType ?? c.status)).toEqual(['TooManyRequestsException', 200]);
    expect(server.get('y@example.com')?.reason).toBe('BOUNCE');
  });

  it('fails a share of calls with 500 at the configured error rate, from an injected random source', async () => {
    // Prepare
    const values = [0.9, 0.1, 0.9, 0.9, 0.9, 0.1];
    const rigged = await startSesv2SuppressionServer({
      random: () => values.shift() ?? 0.9,
      faults: { throttleRate: 0.5, errorRate: 0.5 },
    });
    const client = clientFor(rigged.url, 1);

    // Act
    const first = await failureOf(
      client.send(new GetSuppressedDestinationCommand({ EmailAddress: 'a@example.com' })),
    );
    const second = await failureOf(
      client.send(new GetSuppressedDestinationCommand({ EmailAddress: 'a@example.com' })),
    );
    const third = await failureOf(
      client.send(new GetSuppressedDestinationCommand({ EmailAddress: 'a@example.com' })),
    );
    await rigged.close();

    // Assess: call 1 draws 0.9 (no throttle) then 0.1 (error); call 2 draws 0.9, 0.9 (passes to 404);
    // call 3 draws 0.9 then 0.1 (error).
    expect([first, second, third].map((e) => e.$metadata.httpStatusCode)).toEqual([500, 404, 500]);
    expect(first.name).toBe('InternalFailure');
  });

  it('filters the list by repeated Reason and by StartDate/EndDate, and pages with NextToken', async () => {
    // Prepare
    const client = clientFor(server.url);
    const put = async (address: string, reason: 'BOUNCE' | 'COMPLAINT', at: string) => {
      clock = new Date(at);
      await client.send(new PutSuppressedDestinationCommand({ EmailAddress: address, Reason: reason }));
    };
    await put('a@example.com', 'BOUNCE', '2026-10-01T00:00:00Z');
    await put('b@example.com', 'COMPLAINT', '2026-10-05T00:00:00Z');
    await put('c@example.com', 'BOUNCE', '2026-10-10T00:00:00Z');
    await put('d@example.com', 'BOUNCE', '2026-10-20T00:00:00Z');

    // Act
    const complaints = await client.send(new ListSuppressedDestinationsCommand({ Reasons: ['COMPLAINT'] }));
    const both = await client.send(
      new ListSuppressedDestinationsCommand({ Reasons: ['BOUNCE', 'COMPLAINT'] }),
    );
    const window = await client.send(
      new ListSuppressedDestinationsCommand({
        StartDate: new Date('2026-10-04T00:00:00Z'),
        EndDate: new Date('2026-10-15T00:00:00Z'),
      }),
    );
    const pages: string[][] = [];
    for await (const page of paginateListSuppressedDestinations({ client, pageSize: 3 }, {})) {
      pages.push((page.SuppressedDestinationSummaries ?? []).map((s) => s.EmailAddress ?? ''));
    }

    // Assess
    expect(complaints.SuppressedDestinationSummaries?.map((s) => s.EmailAddress)).toEqual(['b@example.com']);
    expect(both.SuppressedDestinationSummaries).toHaveLength(4);
    expect(window.SuppressedDestinationSummaries?.map((s) => s.EmailAddress)).toEqual([
      'b@example.com',
      'c@example.com',
    ]);
    expect(window.SuppressedDestinationSummaries?.[0]?.LastUpdateTime?.toISOString()).toBe(
      '2026-10-05T00:00:00.000Z',
    );
    expect(pages).toEqual([['a@example.com', 'b@example.com', 'c@example.com'], ['d@example.com']]);
  });

  it('rejects a forged NextToken with 400 InvalidNextTokenException', async () => {
    // Prepare
    const client = clientFor(server.url);

    // Act
    const error = await failureOf(
      client.send(new ListSuppressedDestinationsCommand({ NextToken: 'forged' })),
    );

    // Assess
    expect(error.name).toBe('InvalidNextTokenException');
    expect(error.$metadata.httpStatusCode).toBe(400);
  });

  it('returns the linking attributes of a seeded entry and leaves non-suppression paths to the caller', async () => {
    // Prepare
    server.seed({
      emailAddress: 'seeded@example.com',
      reason: 'BOUNCE',
      messageId: 'm-1',
      feedbackId: 'f-1',
    });
    const client = clientFor(server.url);

    // Act
    const got = await client.send(
      new GetSuppressedDestinationCommand({ EmailAddress: 'seeded@example.com' }),
    );
    const other = await fetch(`${server.url}/v2/email/account`);

    // Assess
    expect(got.SuppressedDestination?.Attributes).toEqual({ MessageId: 'm-1', FeedbackId: 'f-1' });
    expect(other.status).toBe(404);
    expect(other.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
  });
});
