// Issue #11 round 17: a dead address in Chinese, from the v12 tuning half. The clause composition finds a recipient noun
// and a state a few words apart; Chinese writes without spaces, so "该用户不存在" (this user does not exist) is one run
// the word window cannot take apart and the reply was left undetermined. rules/recipient.ts `unknown-recipient-cjk`
// writes the composition out: a recipient noun directly followed by 不存在 (does not exist), skipping a clause about the
// sender and one that says "may". The controls must not move.
import { describe, expect, it } from 'vitest';
import { classifyBounce } from '../../lambdas/domain/classify.ts';

// qqmailbox.com/transceivers/169.html (QQ Mail's help on bounce keywords): the recipient's account does not exist
const QQ_USER_DOES_NOT_EXIST = { diagnosticCode: '该用户不存在' };
// the same composition with the other nouns of Chinese bounces: recipient, mailbox (traditional), account
const RECIPIENT_DOES_NOT_EXIST = { diagnosticCode: '550 收件人不存在' };
const ACCOUNT_DOES_NOT_EXIST = { diagnosticCode: '550 帳號不存在' };
// controls written for the rule's two exceptions: the sender's address (发件人, sender) and a possible cause (可能, may)
const SENDER_ADDRESS_DOES_NOT_EXIST = { diagnosticCode: '550 发件人地址不存在' };
const LETTER_SENDER_ADDRESS_DOES_NOT_EXIST = { diagnosticCode: '550 发信人地址不存在' };
const USER_MAY_NOT_EXIST = { diagnosticCode: '550 可能是该用户不存在或邮箱已满' };
// sina.com in the corpus (Failure reply of RCPT, "服务器拒绝", server rejected, under 4.4.4): not a dead address
const SINA_SERVER_REJECTED = {
  diagnosticCode:
    'Failure reply of RCPT to user@sina.com from 202.106.182.168, 445 服务器拒绝 - server rejected (#4.4.4)',
};

describe('a Chinese recipient noun followed by "does not exist" (round 17)', () => {
  it('suppresses QQ Mail\'s "该用户不存在"', () => {
    // Act
    const c = classifyBounce(QQ_USER_DOES_NOT_EXIST);
    // Assess
    expect(c).toMatchObject({ verdict: 'hard', category: 'unknown-recipient', suppress: true });
    expect(c.evidence).toContain('unknown-recipient-cjk');
  });

  it('reads the other recipient nouns the same way', () => {
    // Act
    const recipient = classifyBounce(RECIPIENT_DOES_NOT_EXIST);
    const account = classifyBounce(ACCOUNT_DOES_NOT_EXIST);
    // Assess
    expect(recipient).toMatchObject({ verdict: 'hard', category: 'unknown-recipient', suppress: true });
    expect(account).toMatchObject({ verdict: 'hard', category: 'unknown-recipient', suppress: true });
  });

  it("never suppresses the sender's address, a possible cause, or a server refusal", () => {
    // Act
    const sender = classifyBounce(SENDER_ADDRESS_DOES_NOT_EXIST);
    const letterSender = classifyBounce(LETTER_SENDER_ADDRESS_DOES_NOT_EXIST);
    const may = classifyBounce(USER_MAY_NOT_EXIST);
    const sina = classifyBounce(SINA_SERVER_REJECTED);
    // Assess
    expect(sender.suppress).toBe(false);
    expect(letterSender.suppress).toBe(false);
    expect(may.suppress).toBe(false);
    expect(sina).toMatchObject({ verdict: 'soft', suppress: false });
  });
});
