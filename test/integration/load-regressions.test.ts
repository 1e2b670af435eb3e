// Bugs the load harness found, pinned at their root so they cannot come back unnoticed.
import { describe, expect, it } from 'vitest';
import { classifyBounce } from '../../lambdas/domain/classify.ts';
import { buildRecipientEvents } from '../../lambdas/domain/recipient-event.ts';
import { parseSesDocument } from '../../lambdas/domain/ses-notification.ts';
import {
  applyEvent,
  type PolicySettings,
  type RecipientSummary,
} from '../../lambdas/domain/suppression-policy.ts';

const settings: PolicySettings = {
  softBounceThreshold: 3,
  softBounceWindowDays: 14,
  suppressOnComplaint: true,
  repairSesFalseSuppressions: false,
  dryRun: false,
};

function mailboxFull(feedbackId: string, timestamp: string) {
  const parsed = parseSesDocument({
    notificationType: 'Bounce',
    mail: { timestamp, messageId: `msg-${feedbackId}`, destination: ['full@example.org'] },
    bounce: {
      feedbackId,
      bounceType: 'Transient',
      bounceSubType: 'MailboxFull',
      timestamp,
      bouncedRecipients: [
        {
          emailAddress: 'full@example.org',
          action: 'failed',
          status: '4.2.2',
          diagnosticCode: 'smtp; 452 4.2.2 Mailbox full',
        },
      ],
    },
  });
  if (parsed.kind !== 'notification') throw new Error('fixture did not parse');
  const { events } = buildRecipientEvents(parsed.notification, {
    recordedAt: '2026-11-20T00:00:00.000Z',
    snsMessageId: null,
    classify: classifyBounce,
  });
  const [event] = events;
  if (!event) throw new Error('fixture has no event');
  return event;
}

describe('regressions found by the load harness', () => {
  it('counts two distinct soft bounces stamped with the same instant as two toward the streak', () => {
    // Prepare: three full-mailbox bounces of three messages within a day, two at the same millisecond.
    const events = [
      mailboxFull('fb-1', '2026-11-10T08:00:00.000Z'),
      mailboxFull('fb-2', '2026-11-11T08:00:00.000Z'),
      mailboxFull('fb-3', '2026-11-11T08:00:00.000Z'),
    ];

    // Act
    let summary: RecipientSummary | null = null;
    const decisions = events.map((event) => {
      const result = applyEvent(summary, event, settings, false);
      summary = result.summary;
      return result;
    });

    // Assess: the third bounce completes the streak of three within 14 days and asks for a suppression.
    expect(decisions.map((d) => d.decision.softStreak)).toEqual([1, 2, 3]);
    expect(decisions[2]?.decision.action).toBe('suppress');
    expect(decisions[2]?.request).toMatchObject({
      action: 'put',
      reason: 'BOUNCE',
      cause: 'soft-bounce-streak',
    });
  });
});
