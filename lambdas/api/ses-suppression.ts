// The SES account suppression list as the query API sees it: read one entry, remove one entry.
import {
  DeleteSuppressedDestinationCommand,
  GetSuppressedDestinationCommand,
  NotFoundException,
  type SESv2Client,
  TooManyRequestsException,
} from '@aws-sdk/client-sesv2';
import { UpstreamUnavailableError } from './errors.ts';

export interface SesSuppressionEntry {
  reason: string;
  lastUpdateTime: string;
  messageId: string | null;
  feedbackId: string | null;
}

export interface SesSuppressionList {
  get(email: string): Promise<SesSuppressionEntry | null>;
  /** Resolves true when the address was listed and is now removed, false when it was not listed. */
  remove(email: string): Promise<boolean>;
}

function throttled(error: unknown): never {
  if (error instanceof TooManyRequestsException) {
    throw new UpstreamUnavailableError(
      'SES throttled the suppression-list call (1 request/s); retry shortly',
    );
  }
  throw error;
}

export function sesSuppressionList(client: SESv2Client): SesSuppressionList {
  return {
    async get(email) {
      try {
        const out = await client.send(new GetSuppressedDestinationCommand({ EmailAddress: email }));
        const entry = out.SuppressedDestination;
        if (entry === undefined) return null;
        return {
          reason: entry.Reason ?? 'UNKNOWN',
          lastUpdateTime: (entry.LastUpdateTime ?? new Date(0)).toISOString(),
          messageId: entry.Attributes?.MessageId ?? null,
          feedbackId: entry.Attributes?.FeedbackId ?? null,
        };
      } catch (error) {
        if (error instanceof NotFoundException) return null;
        return throttled(error);
      }
    },
    async remove(email) {
      try {
        await client.send(new DeleteSuppressedDestinationCommand({ EmailAddress: email }));
        return true;
      } catch (error) {
        if (error instanceof NotFoundException) return false;
        return throttled(error);
      }
    },
  };
}
