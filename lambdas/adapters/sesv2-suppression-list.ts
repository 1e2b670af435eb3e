// The one SESv2 account suppression-list adapter (worker and query API): Put/Delete/Get suppressed destination,
// with SES's errors mapped once to the domain's typed errors (throttled → retry later; bad request → final;
// not found → an answer, not an error).
import {
  DeleteSuppressedDestinationCommand,
  GetSuppressedDestinationCommand,
  PutSuppressedDestinationCommand,
  type SESv2Client,
} from '@aws-sdk/client-sesv2';
import {
  type SesSuppressionEntry,
  type SuppressionList,
  SuppressionListRejectedError,
  SuppressionListThrottledError,
} from '../domain/ports.ts';
import type { SuppressionReason } from '../domain/suppression-policy.ts';
import { errorNamed } from './aws-errors.ts';

function mapError(error: unknown): never {
  const message = error instanceof Error ? error.message : String(error);
  if (errorNamed(error, 'TooManyRequestsException')) throw new SuppressionListThrottledError(message);
  if (errorNamed(error, 'BadRequestException'))
    throw new SuppressionListRejectedError(message || 'BadRequestException');
  throw error;
}

export class Sesv2SuppressionList implements SuppressionList {
  constructor(private readonly client: SESv2Client) {}

  async put(email: string, reason: SuppressionReason): Promise<void> {
    try {
      await this.client.send(new PutSuppressedDestinationCommand({ EmailAddress: email, Reason: reason }));
    } catch (error) {
      mapError(error);
    }
  }

  async remove(email: string): Promise<'removed' | 'not-found'> {
    try {
      await this.client.send(new DeleteSuppressedDestinationCommand({ EmailAddress: email }));
      return 'removed';
    } catch (error) {
      if (errorNamed(error, 'NotFoundException')) return 'not-found';
      mapError(error);
    }
  }

  async get(email: string): Promise<SesSuppressionEntry | null> {
    try {
      const { SuppressedDestination: entry } = await this.client.send(
        new GetSuppressedDestinationCommand({ EmailAddress: email }),
      );
      if (!entry) return null;
      return {
        reason: entry.Reason ?? 'UNKNOWN',
        lastUpdateTime: (entry.LastUpdateTime ?? new Date(0)).toISOString(),
        messageId: entry.Attributes?.MessageId ?? null,
        feedbackId: entry.Attributes?.FeedbackId ?? null,
      };
    } catch (error) {
      if (errorNamed(error, 'NotFoundException')) return null;
      mapError(error);
    }
  }
}
