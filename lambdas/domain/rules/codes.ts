// Enhanced status code → category, for when the diagnostic text has no specific wording.
// Registry meanings from RFC 3463 and its successors (see registry-data.ts); provider codes outside the registry
// from Microsoft's "Email non-delivery reports in Exchange Online" (learn.microsoft.com, NDR reference) and
// Google's "Gmail SMTP errors and codes" (support.google.com/a/answer/3726730), as also collected by sisimai
// (rhost/for-microsoft.go, rhost/for-google.go).
// First matching row wins, so exact codes come before ranges, ranges before subject-level fallbacks.
import type { CodeRule } from './types.ts';

const RFC = 'RFC 3463 registry';
const MS = 'Microsoft Exchange Online NDR reference';
const GOOGLE = 'Gmail SMTP errors (support.google.com/a/answer/3726730)';

export const CODE_RULES: readonly CodeRule[] = [
  // Provider codes that reuse a registry subject for something else: before the registry rows.
  { code: '5.1.90', category: 'rate-limited', source: `${MS}: daily recipient limit reached` },
  {
    code: '5.1.351',
    category: 'unknown-recipient',
    source: `${MS}: remote server returned unknown recipient`,
  },
  { code: 'X.2.121', category: 'rate-limited', source: `${MS}: per-hour receive limit from one sender` },
  { code: 'X.2.122', category: 'rate-limited', source: `${MS}: recipient's per-hour receive limit` },
  {
    code: '4.2.1',
    category: 'rate-limited',
    source: `${GOOGLE} and Yandex: 4.2.1 means the recipient is receiving mail too fast`,
  },
  {
    code: '5.4.4',
    category: 'unknown-domain',
    source: 'SES "550 5.4.4 Invalid domain"; Exchange NonExistentDomain',
  },
  { code: '4.4.4', category: 'network-error', source: `${RFC}: unable to route (transient)` },
  { code: 'X.4.8', category: 'security-error', source: `${MS}: MX hosts failed MTA-STS validation` },
  { code: 'X.4.14', category: 'remote-system-error', source: `${MS}: hop count exceeded, mail loop` },
  { code: 'X.4.300', category: 'expired', source: `${MS}: message expired` },
  { code: 'X.4.310', category: 'unknown-domain', source: `${MS}: DNS domain does not exist` },
  { code: 'X.4.312', category: 'network-error', source: `${MS}: DNS query failed` },
  { code: 'X.4.316', category: 'network-error', source: `${MS}: connection refused` },
  { code: 'X.4.317', category: 'security-error', source: `${MS}: STARTTLS required by the destination` },
  { code: 'X.4.318', category: 'network-error', source: `${MS}: connection closed abruptly` },
  { code: 'X.6.11', category: 'content-rejected', source: `${MS}: bare line feeds in the message` },
  { code: 'X.6.211', category: 'content-rejected', source: `${MS}: invalid MIME` },
  {
    code: 'X.7.12',
    category: 'policy-violation',
    source: `${MS}: sender not authenticated by the organisation (RFC 4954's "password transition" only occurs at submission)`,
  },
  { code: 'X.7.32', category: 'sender-authentication', source: `${GOOGLE}: From: not aligned with SPF/DKIM` },
  {
    code: 'X.7.40',
    category: 'sender-authentication',
    source: `${GOOGLE}: sending domain has no DMARC record`,
  },
  { code: 'X.7.57', category: 'security-error', source: `${MS}: client not authenticated to send` },
  { code: 'X.7.60', category: 'sender-rejected', source: `${MS}: no permission to send as this sender` },
  { code: 'X.7.64', category: 'relay-denied', source: `${MS}: TenantAttribution; relay access denied` },
  {
    code: 'X.7.124-129',
    category: 'policy-violation',
    source: `${MS}: sender not in the group's allowed senders`,
  },
  {
    code: 'X.7.133-136',
    category: 'policy-violation',
    source: `${MS}: recipient accepts only internal senders`,
  },
  { code: 'X.7.321-325', category: 'security-error', source: `${MS}: STARTTLS/DANE/DNSSEC failure` },
  {
    code: 'X.7.350',
    category: 'content-rejected',
    source: `${MS}: remote server returned message detected as spam`,
  },
  { code: 'X.7.501-503', category: 'sender-blocked', source: `${MS}: spam abuse detected, banned sender` },
  { code: 'X.7.504', category: 'unknown-recipient', source: `${MS}: recipient address rejected, not valid` },
  { code: 'X.7.505', category: 'mailbox-disabled', source: `${MS}: banned recipient, address not valid` },
  { code: 'X.7.506', category: 'sender-blocked', source: `${MS}: bad HELO` },
  {
    code: 'X.7.507',
    category: 'sender-blocked',
    source: `${MS}: sending IP blocked by the recipient's organisation`,
  },
  { code: 'X.7.508', category: 'rate-limited', source: `${MS}: IPv6 range exceeded permitted limits` },
  { code: 'X.7.509', category: 'sender-authentication', source: `${MS}: sending domain does not pass DMARC` },
  {
    code: 'X.7.510',
    category: 'policy-violation',
    source: `${MS}: recipient does not accept email over IPv6`,
  },
  { code: 'X.7.511', category: 'sender-blocked', source: `${MS}: banned sender` },
  {
    code: 'X.7.512',
    category: 'content-rejected',
    source: `${MS}: message must be RFC 5322 section 3.6.2 compliant`,
  },
  {
    code: 'X.7.513',
    category: 'sender-blocked',
    source: `${MS}: blocked by the recipient domain's customer block list`,
  },
  {
    code: 'X.7.515',
    category: 'sender-authentication',
    source: `${MS}: required authentication level not met`,
  },
  {
    code: 'X.7.520',
    category: 'policy-violation',
    source: `${MS}: organisation does not allow external forwarding`,
  },
  {
    code: '4.7.500-699',
    category: 'sender-blocked',
    source: `${MS}: access denied, try again later (suspicious IP)`,
  },
  { code: 'X.7.606-649', category: 'sender-blocked', source: `${MS}: banned sending IP` },
  {
    code: 'X.7.700-750',
    category: 'sender-blocked',
    source: `${MS}: tenant or unprovisioned-domain traffic blocked`,
  },
  { code: 'X.7.850-899', category: 'sender-blocked', source: `${MS}: suspicious activity on the sending IP` },
  {
    code: 'X.7.900-999',
    category: 'policy-violation',
    source: `${MS}: rejected by a mail flow (transport) rule`,
  },

  // The registry.
  { code: 'X.1.1', category: 'unknown-recipient', source: `${RFC}: bad destination mailbox address` },
  { code: 'X.1.2', category: 'unknown-domain', source: `${RFC}: bad destination system address` },
  { code: 'X.1.3', category: 'unknown-recipient', source: `${RFC}: bad destination mailbox address syntax` },
  { code: 'X.1.4', category: 'remote-system-error', source: `${RFC}: destination mailbox address ambiguous` },
  { code: 'X.1.6', category: 'mailbox-moved', source: `${RFC}: mailbox has moved, no forwarding address` },
  { code: 'X.1.7', category: 'sender-rejected', source: `${RFC}: bad sender's mailbox address syntax` },
  { code: 'X.1.8', category: 'sender-rejected', source: `${RFC}: bad sender's system address` },
  { code: 'X.1.10', category: 'domain-rejects-mail', source: 'RFC 7505: recipient address has null MX' },
  { code: 'X.2.1', category: 'mailbox-disabled', source: `${RFC}: mailbox disabled, not accepting messages` },
  {
    code: 'X.2.2',
    category: 'mailbox-full',
    source: `${RFC}: mailbox full (persistent transient even as 5.2.2)`,
  },
  {
    code: 'X.2.3',
    category: 'message-too-large',
    source: `${RFC}: message length exceeds administrative limit`,
  },
  { code: 'X.2.4', category: 'remote-system-error', source: `${RFC}: mailing list expansion problem` },
  { code: 'X.3.1', category: 'remote-system-error', source: `${RFC}: mail system full` },
  { code: 'X.3.2', category: 'remote-system-error', source: `${RFC}: system not accepting network messages` },
  { code: 'X.3.3', category: 'protocol-error', source: `${RFC}: system not capable of selected features` },
  { code: 'X.3.4', category: 'message-too-large', source: `${RFC}: message too big for system` },
  { code: 'X.3.5', category: 'remote-system-error', source: `${RFC}: system incorrectly configured` },
  { code: 'X.4.1', category: 'network-error', source: `${RFC}: no answer from host` },
  { code: 'X.4.2', category: 'network-error', source: `${RFC}: bad connection` },
  { code: 'X.4.3', category: 'network-error', source: `${RFC}: directory server failure` },
  { code: 'X.4.5', category: 'remote-system-error', source: `${RFC}: mail system congestion` },
  { code: 'X.4.6', category: 'remote-system-error', source: `${RFC}: routing loop detected` },
  { code: 'X.4.7', category: 'expired', source: `${RFC}: delivery time expired` },
  { code: 'X.5.1', category: 'protocol-error', source: `${RFC}: invalid command` },
  { code: 'X.5.2', category: 'protocol-error', source: `${RFC}: syntax error` },
  { code: 'X.5.3', category: 'rate-limited', source: `${RFC}: too many recipients` },
  { code: 'X.5.4', category: 'protocol-error', source: `${RFC}: invalid command arguments` },
  { code: 'X.5.5', category: 'protocol-error', source: `${RFC}: wrong protocol version` },
  { code: 'X.5.6', category: 'protocol-error', source: 'RFC 4954: authentication exchange line too long' },
  {
    code: 'X.6.1-6',
    category: 'content-rejected',
    source: `${RFC} and RFC 4468: media/conversion/content errors`,
  },
  {
    code: 'X.6.7-10',
    category: 'protocol-error',
    source: 'RFC 6531: internationalised address or header not supported',
  },
  { code: 'X.7.2', category: 'policy-violation', source: `${RFC}: mailing list expansion prohibited` },
  {
    code: 'X.7.3-9',
    category: 'security-error',
    source: `${RFC} and RFC 4954: security conversion, crypto, credentials`,
  },
  { code: 'X.7.10', category: 'sender-authentication', source: 'RFC 5248: encryption needed' },
  { code: 'X.7.11', category: 'security-error', source: 'RFC 4954: encryption required for the mechanism' },
  { code: 'X.7.13', category: 'mailbox-disabled', source: 'RFC 5248: user account disabled' },
  { code: 'X.7.14', category: 'security-error', source: 'RFC 5248: trust relationship required' },
  { code: 'X.7.15', category: 'policy-violation', source: 'RFC 6710: priority level too low' },
  { code: 'X.7.16', category: 'message-too-large', source: 'RFC 6710: message too big for the priority' },
  { code: 'X.7.17', category: 'mailbox-moved', source: 'RFC 7293: mailbox owner has changed' },
  { code: 'X.7.18', category: 'mailbox-moved', source: 'RFC 7293: domain owner has changed' },
  { code: 'X.7.19', category: 'security-error', source: 'RFC 7293: RRVS test cannot be completed' },
  { code: 'X.7.20-24', category: 'sender-authentication', source: 'RFC 7372: DKIM or SPF validation failed' },
  { code: 'X.7.25', category: 'sender-blocked', source: 'RFC 7372: reverse DNS validation failed' },
  {
    code: 'X.7.26',
    category: 'sender-authentication',
    source: 'RFC 7372: multiple authentication checks failed',
  },
  { code: 'X.7.27', category: 'sender-rejected', source: 'RFC 7505: sender address has null MX' },
  {
    code: 'X.7.28',
    category: 'rate-limited',
    source: 'IANA (draft-levine-mailbomb-header): mail flood detected',
  },
  { code: 'X.7.29', category: 'sender-authentication', source: 'RFC 8617: ARC validation failure' },
  { code: 'X.7.30', category: 'sender-authentication', source: 'RFC 8689: REQUIRETLS support required' },

  // Weak: the subject is known, the detail says nothing more (X.s.0), or the detail is not one we know.
  {
    code: 'X.7.1',
    category: 'policy-violation',
    weak: true,
    source: `${RFC}: delivery not authorized (used for anything)`,
  },
  { code: 'X.3', category: 'remote-system-error', weak: true, source: `${RFC}: mail system status` },
  { code: 'X.4', category: 'network-error', weak: true, source: `${RFC}: network and routing status` },
  { code: 'X.5', category: 'protocol-error', weak: true, source: `${RFC}: mail delivery protocol status` },
  {
    code: 'X.6',
    category: 'content-rejected',
    weak: true,
    source: `${RFC}: message content or media status`,
  },
  { code: 'X.7', category: 'policy-violation', weak: true, source: `${RFC}: security or policy status` },
];
