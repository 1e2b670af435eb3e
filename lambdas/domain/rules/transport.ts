// Wording about the path and the machines rather than the address: greylisting, expiry, network and DNS trouble,
// failing receivers, protocol and security errors. All soft. Sources as in sender.ts (SFM, sisimai, providers).
import type { TextRule } from './types.ts';

export const GREYLIST_RULES: readonly TextRule[] = [
  {
    id: 'greylisted',
    category: 'greylisted',
    match: [
      'greylist',
      'graylist',
      'grey-list',
      'gray-list',
      'grey listed',
      'gray listed',
      'postgrey',
      'internal resources are temporarily unavailable',
      'internal resource temporarily unavailable',
    ],
    source:
      'Postgrey, Barracuda "Greylisted for 5 minutes", ZeroSpam, Zoho 4.7.1, Mimecast 451 greylisting (SFM 450/451, sisimai)',
  },
];

export const EXPIRED_RULES: readonly TextRule[] = [
  {
    id: 'expired',
    category: 'expired',
    match: [
      'message expired',
      'delivery expired',
      'delivery time expired',
      'unable to deliver in',
      'queue expired',
      'in the queue too long',
      'too long in queue',
      'retry timeout exceeded',
      'retry time not reached for any host after a long failure period',
      'giving up on',
      'could not be delivered for more than',
      'unable to deliver message after multiple retries',
      'message timed out',
      'delivery timeout',
      'have been failing for a long time',
      'was not reachable within the allowed queue period',
      'numerous attempts to deliver this message',
    ],
    source:
      'SES "554 4.4.7 Message expired: unable to deliver in 840 minutes", Exchange 4.4.7/5.4.300, Exim retry timeout, qmail (sisimai reason/why-expired.go)',
  },
];

export const SECURITY_RULES: readonly TextRule[] = [
  {
    id: 'security-auth',
    category: 'security-error',
    match: [
      'authentication required',
      'authentication failed',
      'authentication failure',
      'authentication credentials invalid',
      'username and password not accepted',
      'application-specific password',
      'incorrect authentication data',
      'submitter failed to authenticate',
      'client was not authenticated',
      'authentification requise',
      'authentification invalide',
      'too many login attempts',
      'suspicious account activity',
      'aup#cxthrt',
      'aup#cxmj',
      ' ib401',
    ],
    source:
      'Gmail 530/535 authentication, Microsoft 5.7.57, Mimecast 535, Orange OFR_305/LPN105_402, Cox CXTHRT (sisimai)',
  },
  {
    id: 'security-tls',
    category: 'security-error',
    match: [
      'certificate',
      'tls handshake',
      'tls negotiation',
      'mta-sts',
      'tlsa-invalid',
      'dnssec-invalid',
      'starttls-not-supported',
    ],
    source:
      'Microsoft 4.4.317/5.7.321-325 STARTTLS, DANE and MTA-STS failures (sisimai rhost/for-microsoft.go)',
  },
];

export const PROTOCOL_RULES: readonly TextRule[] = [
  {
    id: 'protocol-error',
    category: 'protocol-error',
    match: [
      'syntax error',
      'command unrecognized',
      'unrecognized command',
      'unimplemented command',
      'command not implemented',
      'bad sequence of commands',
      'invalid command',
      'line too long',
      'protocol violation',
      'send hello first',
      'ehlo/helo first',
      'no data after bdat',
      'no data before greeting',
      'smtputf8',
      'non-ascii address',
      'malformed address',
    ],
    // "syntax error" under X.1.3 is the recipient address's syntax (RFC 3463 "bad destination mailbox address
    // syntax"), not the session's: the code's own rule decides (IndiMail qmail-smtpd err_syntax, "555 syntax error in
    // address (#5.1.3)", indimail-mta-x/smtpd.c).
    notCodes: ['X.1.3'],
    source:
      'Gmail 501/502/503 syntax and sequence errors, Yahoo "Syntax error in parameters or arguments", Exchange "Send hello first" (SFM 501, sisimai)',
  },
];

export const NETWORK_RULES: readonly TextRule[] = [
  {
    id: 'network-error',
    category: 'network-error',
    match: [
      'connection timed out',
      'connection expired',
      'connection refused',
      'connection reset',
      'connection dropped',
      'connection was dropped',
      'connection died',
      'connection closed',
      'lost connection',
      'no route to host',
      'network is unreachable',
      'host is unreachable',
      'host unreachable',
      'failed to establish connection',
      'unable to connect',
      'could not connect',
      "couldn't connect",
      "wasn't able to establish an smtp connection",
      'dns query failed',
      'unable to lookup dns',
      'dns lookup failure',
      'dns error',
      'malformed or unexpected name server reply',
      'name server reply',
      'cname lookup failed',
      'read error',
      'broken pipe',
      'timeout - closing connection',
      ['connection with', 'is broken'],
    ],
    source:
      'SES nested reasons "<421 4.4.1 Failed to establish connection>", Exchange 4.4.316, qmail #4.4.x, Sendmail "Connection timed out" (sisimai reason/why-networkerror.go), CommuniGate "connection with mx1.mail.domain.com is broken" (voku/PHPMailer-BMH rule sample 0231)',
  },
  {
    id: 'network-timeout-word',
    category: 'network-error',
    weak: true,
    match: ['timed out', 'timeout'],
    source: 'Loose timeout wording',
  },
];

export const REMOTE_SYSTEM_RULES: readonly TextRule[] = [
  {
    id: 'remote-loop',
    category: 'remote-system-error',
    match: [
      'mail loop',
      'routing loop',
      'loop detected',
      'message is looping',
      'forwarding loop',
      'loops back to myself',
      'too many hops',
      'hop count exceeded',
      'exceeded 50 hops',
      'too many received',
    ],
    source: 'Gmail 5.4.6 MailLoop, Exchange 5.4.6/5.4.14 hop count, GoDaddy "message is looping" (sisimai)',
  },
  {
    id: 'remote-system',
    category: 'remote-system-error',
    match: [
      'insufficient system resources',
      'temporary local problem',
      'local error in processing',
      'internal server error',
      'internal error',
      'server configuration',
      'configuration error',
      'misconfigured',
      'system config error',
      'incorrectly configured',
      'temporary system problem',
      'temporary system error',
      'temporary server error',
      'temporarily rejected message',
      'temporarily rejected this message',
      'service not available',
      'service not active',
      'service temporarily unavailable',
      'server temporarily not available',
      'recipient temporarily unavailable',
      'temporary domain failure',
      'queue file write error',
      'unable to process',
      'server busy',
      'agent busy',
      'license expired',
      "can't create output",
      'storedrv',
      'there is no mdb',
      'failed to be replicated',
      'journaling archive is disabled',
      'multiple destination domains per transaction',
      'system not accepting network messages',
      'destination mailbox address ambiguous',
      'mailing list expansion problem',
    ],
    source:
      'Gmail 4.3.0 "Mail server temporarily rejected message", Outlook 4.3.1/4.3.2, Yahoo 421/452, Comcast 4.2.0, Barracuda 422 "License Expired", Exchange STOREDRV, Zoho 4.3.1 (SFM 421/451/452, sisimai), Sendmail "(reason: Can\'t create output)" of a delivery program (voku/PHPMailer-BMH rule sample 0169)',
  },
  {
    id: 'remote-try-later',
    category: 'remote-system-error',
    weak: true,
    match: [
      'try again later',
      'temporarily unavailable',
      'service unavailable',
      'temporary failure',
      'unknown error',
    ],
    source: 'Loose "try again later" wording (Barracuda 421, Symantec 421, Yandex 5.3.0 "Unknown error")',
  },
];
