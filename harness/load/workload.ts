// The load harness's workload: a seeded, reproducible campaign of SES notifications (70% Permanent bounces, 20%
// Transient, 5% complaints, 5% deliveries; a share delivered twice; shuffled), and — computed from the generated
// inputs and the documented policy alone, never by calling the processor's code — what the store and the SES
// suppression list must hold afterwards.
import { createHash } from 'node:crypto';

/** mulberry32: small, fast, good enough to make a workload reproducible from its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

type Verdict = 'hard' | 'soft';

/**
 * Bounce templates with what issue 2 and issue 3 say about them: verdict (hard = the address will not work
 * again; soft = it may, or the fault is not the address's), whether one event justifies suppression
 * (recipient-side permanent categories only; never sender-side), whether it counts toward the soft-bounce streak
 * (mailbox-full does; message-too-large never does), and SES's OnAccountSuppressionList (already suppressed:
 * no request).
 */
interface BounceTemplate {
  name: string;
  bounceType: 'Permanent' | 'Transient';
  bounceSubType: string;
  status: string;
  diagnosticCode: string;
  verdict: Verdict;
  suppress: boolean;
  countsTowardStreak: boolean;
}

const HARD_TEMPLATES: ReadonlyArray<BounceTemplate & { share: number }> = [
  {
    name: 'unknown-user',
    share: 0.5,
    bounceType: 'Permanent',
    bounceSubType: 'General',
    status: '5.1.1',
    diagnosticCode:
      "smtp; 550-5.1.1 The email account that you tried to reach does not exist. Please try\n550-5.1.1 double-checking the recipient's email address for typos or\n550 5.1.1 unnecessary spaces. https://support.google.com/mail/?p=NoSuchUser - gsmtp",
    verdict: 'hard',
    suppress: true,
    countsTowardStreak: false,
  },
  {
    name: 'unknown-domain',
    share: 0.15,
    bounceType: 'Permanent',
    bounceSubType: 'General',
    status: '5.1.2',
    diagnosticCode:
      'smtp; 550 5.1.2 Host or domain name not found. Name service error for name=gmial.example type=MX: Host not found',
    verdict: 'hard',
    suppress: true,
    countsTowardStreak: false,
  },
  {
    name: 'no-email',
    share: 0.1,
    bounceType: 'Permanent',
    bounceSubType: 'NoEmail',
    status: '5.0.0',
    diagnosticCode:
      "smtp; 554 delivery error: dd This user doesn't have a yahoo.com account - mta4021.mail.gq1.yahoo.com",
    verdict: 'hard',
    suppress: true,
    countsTowardStreak: false,
  },
  {
    name: 'on-account-suppression-list',
    share: 0.15,
    bounceType: 'Permanent',
    bounceSubType: 'OnAccountSuppressionList',
    status: '5.1.1',
    diagnosticCode:
      'Amazon SES did not send the message to this address because it is on the suppression list for your account.',
    verdict: 'hard',
    suppress: false,
    countsTowardStreak: false,
  },
  {
    name: 'dmarc-sender-side',
    share: 0.1,
    bounceType: 'Permanent',
    bounceSubType: 'General',
    status: '5.7.26',
    diagnosticCode:
      "smtp; 550-5.7.26 Unauthenticated email from mail.example.com is not accepted due to\n550 5.7.26 domain's DMARC policy. https://support.google.com/mail/?p=DmarcRejection - gsmtp",
    verdict: 'soft',
    suppress: false,
    countsTowardStreak: false,
  },
];

const MAILBOX_FULL: BounceTemplate = {
  name: 'mailbox-full',
  bounceType: 'Transient',
  bounceSubType: 'MailboxFull',
  status: '4.2.2',
  diagnosticCode:
    "smtp; 452-4.2.2 The recipient's inbox is out of storage space. Please direct the\n452 4.2.2 recipient to https://support.google.com/mail/?p=OverQuotaTemp - gsmtp",
  verdict: 'soft',
  suppress: false,
  countsTowardStreak: true,
};

const TOO_LARGE: BounceTemplate = {
  name: 'message-too-large',
  bounceType: 'Transient',
  bounceSubType: 'MessageTooLarge',
  status: '5.3.4',
  diagnosticCode: 'smtp; 552 5.3.4 Message size exceeds fixed maximum message size',
  verdict: 'soft',
  suppress: false,
  countsTowardStreak: false,
};

const DOMAINS = [
  'gmail.com',
  'yahoo.com',
  'outlook.com',
  'hotmail.com',
  'icloud.com',
  'example.org',
  'gmx.de',
];
const DAY_MS = 86_400_000;

export type EventType = 'bounce' | 'complaint' | 'delivery';

/** One recipient event the store must hold exactly once. */
export interface ExpectedEvent {
  id: string;
  type: EventType;
  email: string;
  day: string;
  verdict: Verdict | null;
  /** SES did not send (OnAccountSuppressionList): counted apart from bounces and complaints. */
  onAccountList: boolean;
}

export interface ExpectedCounts {
  hard: number;
  soft: number;
  complaints: number;
  deliveries: number;
  /** OnAccountSuppressionList bounces and complaints (in no other count). */
  onAccountList: number;
  firstEventAt: string;
  lastEventAt: string;
}

export interface Expected {
  events: Map<string, ExpectedEvent>;
  recipients: Map<string, ExpectedCounts>;
  /** address → reason of the suppression the policy asks for. */
  suppressions: Map<string, 'BOUNCE' | 'COMPLAINT'>;
  /** day → counter name → value, for the day-total counters (`events`, `type:*`, `verdict:*`). */
  days: Map<string, Map<string, number>>;
  /** `<day>|<domain>` → events, for the day × domain counters. */
  domainDays: Map<string, number>;
}

/** One SES notification of the campaign, as SNS publishes it. */
export interface GeneratedNotification {
  snsMessageId: string;
  /** The SES JSON document (SNS `Message`). */
  message: string;
}

export interface Workload {
  /** The campaign's notifications, then the event-publishing copies of some of them. */
  notifications: GeneratedNotification[];
  /** Indexes into `notifications` in delivery order: every SES event at least once, `duplicates` twice. */
  deliveries: number[];
  duplicates: number;
  expected: Expected;
}

export interface WorkloadOptions {
  notifications: number;
  seed: number;
  /** Events happen in the 25 days before this instant. */
  base: Date;
  /** Share of notifications delivered twice. */
  duplicateShare?: number;
}

/** The id docs/data-model.md defines: the first 32 hex characters of SHA-256 of the idempotency key. */
export function documentedEventId(type: EventType, feedbackOrMessageId: string, email: string): string {
  return createHash('sha256').update(`${type}|${feedbackOrMessageId}|${email}`).digest('hex').slice(0, 32);
}

interface Planned {
  kind: 'bounce' | 'complaint' | 'delivery';
  template?: BounceTemplate;
  email: string;
  /** What SES writes: sometimes a display name and mixed case, as real notifications do. */
  written: string;
  /** Further recipients of the same bounce notification. */
  also?: { email: string; written: string }[];
  at: number;
  complaintOnList?: boolean;
}

export function generateWorkload(opts: WorkloadOptions): Workload {
  const random = seededRandom(opts.seed);
  const n = opts.notifications;
  const hardCount = Math.round(n * 0.7);
  const softCount = Math.round(n * 0.2);
  const complaintCount = Math.round(n * 0.05);
  const deliveryCount = n - hardCount - softCount - complaintCount;
  const baseMs = opts.base.getTime();
  const span = 25 * DAY_MS;
  const run = opts.seed.toString(36);
  let serial = 0;
  const address = () => {
    serial += 1;
    const domain = DOMAINS[serial % DOMAINS.length] as string;
    const email = `r${serial}.${run}@${domain}`;
    // One in twenty as SES may hand it over: a display name and upper case in the address.
    const written =
      serial % 20 === 0 ? `"Recipient ${serial}" <R${serial}.${run}@${domain.toUpperCase()}>` : email;
    return { email, written };
  };
  const instant = (from = baseMs - span, width = span) => Math.floor(from + random() * width);
  const planned: Planned[] = [];

  // Permanent bounces: one per address (a campaign bounces each dead address once).
  let hardLeft = hardCount;
  HARD_TEMPLATES.forEach((template, i) => {
    const count = i === HARD_TEMPLATES.length - 1 ? hardLeft : Math.round(hardCount * template.share);
    hardLeft -= count;
    for (let k = 0; k < count; k += 1)
      planned.push({ kind: 'bounce', template, ...address(), at: instant() });
  });

  // Transient bounces in per-recipient groups whose outcome does not depend on arrival order (no delivery ever
  // separates the soft bounces of a recipient that reaches the threshold).
  const softGroups: { email: string; written: string; countable: number }[] = [];
  let softLeft = softCount;
  while (softLeft > 0) {
    const who = address();
    const roll = random();
    const start = instant(baseMs - span, span - 6 * DAY_MS);
    const push = (template: BounceTemplate, at: number) => {
      if (softLeft <= 0) return;
      planned.push({ kind: 'bounce', template, ...who, at });
      softLeft -= 1;
    };
    let countable = 0;
    if (roll < 0.2) {
      // A streak: 3 or 4 full-mailbox bounces within 6 days → suppressed once.
      const size = roll < 0.12 ? 3 : 4;
      for (let k = 0; k < size; k += 1) push(MAILBOX_FULL, start + k * 1.5 * DAY_MS + k * 1000);
      countable = size;
    } else if (roll < 0.25) {
      // Three full-mailbox bounces of three different messages, two stamped with the same instant (SES stamps
      // bounces of messages sent together alike): still three bounces within 14 days → suppressed.
      push(MAILBOX_FULL, start);
      push(MAILBOX_FULL, start + DAY_MS);
      push(MAILBOX_FULL, start + DAY_MS);
      countable = 3;
    } else if (roll < 0.35) {
      // Three full-mailbox bounces 10 days apart: never three within the 14-day window.
      const early = instant(baseMs - span, 4 * DAY_MS);
      for (let k = 0; k < 3; k += 1) push(MAILBOX_FULL, early + k * 10 * DAY_MS);
      countable = 0;
    } else if (roll < 0.45) {
      // Message too large never counts, however often: three of them plus one full mailbox.
      for (let k = 0; k < 3; k += 1) push(TOO_LARGE, start + k * DAY_MS);
      push(MAILBOX_FULL, start + 4 * DAY_MS);
      countable = 1;
    } else if (roll < 0.7) {
      push(MAILBOX_FULL, start);
      push(MAILBOX_FULL, start + 2 * DAY_MS);
      countable = 2;
    } else {
      push(MAILBOX_FULL, start);
      countable = 1;
    }
    softGroups.push({ ...who, countable });
  }

  for (let k = 0; k < complaintCount; k += 1) {
    // One in ten complaints is for an address already on the account list (SES says so): no request.
    planned.push({ kind: 'complaint', ...address(), at: instant(), complaintOnList: k % 10 === 9 });
  }

  // Deliveries: half to recipients with at most two countable soft bounces (they never reach the threshold,
  // whatever the order), half to fresh addresses.
  const quiet = softGroups.filter((g) => g.countable <= 2 && g.countable >= 1);
  for (let k = 0; k < deliveryCount; k += 1) {
    const target = k % 2 === 0 && quiet.length > 0 ? quiet[Math.floor(random() * quiet.length)] : undefined;
    const who = target ? { email: target.email, written: target.written } : address();
    planned.push({ kind: 'delivery', ...who, at: instant() });
  }

  // Every 25th unknown-user bounce lists a second dead address; every 40th lists its own address twice (case
  // and display-name variants), which is one mailbox and so one event.
  let unknownUsers = 0;
  for (const p of planned) {
    if (p.template?.name !== 'unknown-user') continue;
    unknownUsers += 1;
    if (unknownUsers % 25 === 0) p.also = [address()];
    else if (unknownUsers % 40 === 0)
      p.also = [{ email: p.email, written: `Same Person <${p.email.toUpperCase()}>` }];
  }

  const expected: Expected = {
    events: new Map(),
    recipients: new Map(),
    suppressions: new Map(),
    days: new Map(),
    domainDays: new Map(),
  };
  const countable = new Map<string, number[]>();
  const record = (event: ExpectedEvent, at: string) => {
    if (expected.events.has(event.id)) return false;
    expected.events.set(event.id, event);
    const counts = expected.recipients.get(event.email) ?? {
      hard: 0,
      soft: 0,
      complaints: 0,
      deliveries: 0,
      onAccountList: 0,
      firstEventAt: at,
      lastEventAt: at,
    };
    expected.recipients.set(event.email, counts);
    if (at < counts.firstEventAt) counts.firstEventAt = at;
    if (at > counts.lastEventAt) counts.lastEventAt = at;
    if (event.onAccountList) counts.onAccountList += 1;
    else if (event.type === 'bounce') counts[event.verdict === 'hard' ? 'hard' : 'soft'] += 1;
    else if (event.type === 'complaint') counts.complaints += 1;
    else counts.deliveries += 1;
    const day = expected.days.get(event.day) ?? new Map<string, number>();
    expected.days.set(event.day, day);
    const add = (name: string) => day.set(name, (day.get(name) ?? 0) + 1);
    add('events');
    if (event.onAccountList) add(`onAccountList:${event.type}`);
    else {
      add(`type:${event.type}`);
      if (event.verdict) add(`verdict:${event.verdict}`);
    }
    const domainDay = `${event.day}|${event.email.slice(event.email.lastIndexOf('@') + 1)}`;
    expected.domainDays.set(domainDay, (expected.domainDays.get(domainDay) ?? 0) + 1);
    return true;
  };

  const documents: Array<Record<string, unknown>> = planned.map((p, index) => {
    const id = `${run}-${index.toString(16).padStart(8, '0')}`;
    const messageId = `0100019${index.toString(16).padStart(9, '0')}-${run}-000000`;
    const timestamp = new Date(p.at).toISOString();
    const day = timestamp.slice(0, 10);
    const recipients = [{ email: p.email, written: p.written }, ...(p.also ?? [])];
    const mail = {
      timestamp: new Date(p.at - 2000).toISOString(),
      messageId,
      source: 'news@mail.example.com',
      sourceArn: 'arn:aws:ses:us-east-1:123456789012:identity/mail.example.com',
      sendingAccountId: '123456789012',
      destination: recipients.map((r) => r.written),
      commonHeaders: { subject: 'Our autumn campaign' },
      tags: { 'ses:configuration-set': ['campaign'] },
    };
    if (p.kind === 'bounce' && p.template) {
      const t = p.template;
      const feedbackId = `fb-${id}`;
      for (const r of recipients) {
        record(
          {
            id: documentedEventId('bounce', feedbackId, r.email),
            type: 'bounce',
            email: r.email,
            day,
            verdict: t.verdict,
            onAccountList: t.bounceSubType === 'OnAccountSuppressionList',
          },
          timestamp,
        );
        if (t.suppress && t.bounceSubType !== 'OnAccountSuppressionList')
          expected.suppressions.set(r.email, 'BOUNCE');
        if (t.countsTowardStreak) countable.set(r.email, [...(countable.get(r.email) ?? []), p.at]);
      }
      return {
        notificationType: 'Bounce',
        mail,
        bounce: {
          feedbackId,
          bounceType: t.bounceType,
          bounceSubType: t.bounceSubType,
          timestamp,
          reportingMTA: 'dns; a8-1.smtp-out.amazonses.com',
          bouncedRecipients: recipients.map((r) => ({
            emailAddress: r.written,
            action: 'failed',
            status: t.status,
            diagnosticCode: t.diagnosticCode,
          })),
        },
      };
    }
    if (p.kind === 'complaint') {
      const feedbackId = `fb-${id}`;
      record(
        {
          id: documentedEventId('complaint', feedbackId, p.email),
          type: 'complaint',
          email: p.email,
          day,
          verdict: null,
          onAccountList: p.complaintOnList === true,
        },
        timestamp,
      );
      // SUPPRESS_ON_COMPLAINT defaults to true; an address SES already holds needs no request.
      if (!p.complaintOnList) expected.suppressions.set(p.email, 'COMPLAINT');
      return {
        notificationType: 'Complaint',
        mail,
        complaint: {
          feedbackId,
          complaintSubType: p.complaintOnList ? 'OnAccountSuppressionList' : null,
          complainedRecipients: [{ emailAddress: p.written }],
          timestamp,
          ...(p.complaintOnList ? {} : { complaintFeedbackType: 'abuse' }),
          userAgent: 'Yahoo!-Mail-Feedback/2.0',
        },
      };
    }
    record(
      {
        id: documentedEventId('delivery', messageId, p.email),
        type: 'delivery',
        email: p.email,
        day,
        verdict: null,
        onAccountList: false,
      },
      timestamp,
    );
    return {
      notificationType: 'Delivery',
      mail,
      delivery: {
        timestamp,
        processingTimeMillis: 1200,
        recipients: [p.written],
        smtpResponse: '250 2.0.0 OK  1728897163 - gsmtp',
        reportingMTA: 'a8-1.smtp-out.amazonses.com',
      },
    };
  });
  const snsId = (k: number) => `00000000-0000-4000-8000-${k.toString(16).padStart(12, '0')}`;
  const notifications: GeneratedNotification[] = documents.map((doc, index) => ({
    snsMessageId: snsId(index),
    message: JSON.stringify(doc),
  }));

  // Soft-bounce streaks (defaults: 3 within 14 days, no delivery in between; the groups above have no delivery).
  for (const [email, times] of countable) {
    const sorted = [...times].sort((a, b) => a - b);
    const reached = sorted.some((t, i) => i >= 2 && t - (sorted[i - 2] as number) <= 14 * DAY_MS);
    if (reached && !expected.suppressions.has(email)) expected.suppressions.set(email, 'BOUNCE');
  }

  // Duplicates: half are SNS redelivering the same message (same SNS MessageId), half the same SES event
  // published again by a configuration-set event destination (`eventType`, another SNS message): same event ids.
  const duplicateShare = opts.duplicateShare ?? 0.1;
  const deliveries = notifications.map((_, i) => i);
  const duplicates = Math.round(n * duplicateShare);
  const twice = shuffle([...deliveries], random).slice(0, duplicates);
  for (const [k, index] of twice.entries()) {
    if (k % 2 === 0) {
      deliveries.push(index);
      continue;
    }
    const { notificationType, ...rest } = documents[index] as Record<string, unknown>;
    deliveries.push(notifications.length);
    notifications.push({
      snsMessageId: snsId(notifications.length),
      message: JSON.stringify({ eventType: notificationType, ...rest }),
    });
  }
  shuffle(deliveries, random);
  return { notifications, deliveries, duplicates, expected };
}
