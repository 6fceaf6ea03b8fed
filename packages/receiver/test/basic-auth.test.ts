import { describe, expect, it } from 'vitest';
import {
  type VerificationReason,
  verifyBasicAuth,
  WebhookVerificationError,
} from '../src/index.js';

const basic = (userPass: string | Buffer) =>
  `Basic ${Buffer.from(userPass as string, 'utf8').toString('base64')}`;

function reasonOf(run: () => void): VerificationReason | 'passed' {
  try {
    run();
    return 'passed';
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookVerificationError);
    expect((error as WebhookVerificationError).status).toBe(401);
    return (error as WebhookVerificationError).reason;
  }
}

describe('verifyBasicAuth', () => {
  const accepted: [string, string, string][] = [
    ['plain ASCII credentials', 'zapier', 's3cret'],
    ['UTF-8 in both the user name and the password', 'zäpier', 'pässwörd ✓ 密码'],
    ['a password with colons in it', 'zapier', 'a:b::c:'],
    ['an empty password', 'zapier', ''],
  ];
  it.each(accepted)('accepts the right credentials: %s', (_title, username, password) => {
    expect(
      reasonOf(() => verifyBasicAuth(basic(`${username}:${password}`), username, password)),
    ).toBe('passed');
  });

  it('accepts the scheme in any case, as RFC 7617 allows', () => {
    const token = Buffer.from('zapier:s3cret').toString('base64');
    expect(reasonOf(() => verifyBasicAuth(`bAsIc ${token}`, 'zapier', 's3cret'))).toBe('passed');
  });

  const refused: [string, string | undefined, VerificationReason][] = [
    ['no header at all', undefined, 'missing_authorization'],
    ['an empty header', '', 'missing_authorization'],
    ['a wrong password', basic('zapier:s3creT'), 'wrong_credentials'],
    ['a wrong user name', basic('Zapier:s3cret'), 'wrong_credentials'],
    ['the password as a prefix of the given one', basic('zapier:s3cret2'), 'wrong_credentials'],
    ['a prefix of the password', basic('zapier:s3cre'), 'wrong_credentials'],
    ['user name and password swapped', basic('s3cret:zapier'), 'wrong_credentials'],
    ['the colon moved into the user name', basic('zapier:s3:cret'), 'wrong_credentials'],
    [
      'another scheme',
      `Bearer ${Buffer.from('zapier:s3cret').toString('base64')}`,
      'malformed_authorization',
    ],
    ['the scheme without a token', 'Basic', 'malformed_authorization'],
    ['a token that is not base64', 'Basic zapier:s3cret', 'malformed_authorization'],
    ['a token of the wrong length', 'Basic emFwaWVyOnMzY3JldA', 'malformed_authorization'],
    [
      'two tokens',
      `${basic('zapier:s3cret')} ${basic('zapier:s3cret')}`,
      'malformed_authorization',
    ],
    ['decoded text without a colon', basic('zapiers3cret'), 'malformed_authorization'],
    [
      'Latin-1 instead of UTF-8',
      `Basic ${Buffer.from('zapier:s3cretä', 'latin1').toString('base64')}`,
      'malformed_authorization',
    ],
  ];
  it.each(refused)('refuses %s with a typed error', (_title, header, reason) => {
    expect(reasonOf(() => verifyBasicAuth(header, 'zapier', 's3cret'))).toBe(reason);
  });
});
