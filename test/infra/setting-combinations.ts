// Every combination of the documented optional settings (infra/README.md): identity notifications, an existing
// topic, an existing configuration set, Cognito, deliveries off, an alarm e-mail and CORS. All 2^7 = 128, and the
// covering set the permission contract synthesizes (none, each alone, all together: a synth takes 1-9 s here).
import { TEST_ENV } from './synth.ts';

export const USER_POOL_ARN = `arn:aws:cognito-idp:${TEST_ENV.region}:${TEST_ENV.account}:userpool/${TEST_ENV.region}_AbCdEf123`;
export const EXISTING_TOPIC_ARN = `arn:aws:sns:${TEST_ENV.region}:${TEST_ENV.account}:existing-ses-feedback`;
/** The identity the identity-notification settings name (and the contract's custom-resource run uses). */
export const NOTIFICATION_IDENTITY = 'example.com';

/** Each optional setting as the raw context values that turn it on. */
export const OPTIONAL_SETTINGS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  identityNotifications: { notificationIdentities: NOTIFICATION_IDENTITY },
  existingTopic: { existingTopicArn: EXISTING_TOPIC_ARN },
  existingConfigurationSet: { useExistingConfigurationSet: 'true', configurationSetName: 'my-existing-set' },
  cognito: {
    apiAuthorization: 'cognito',
    apiCognitoUserPoolArn: USER_POOL_ARN,
    apiCognitoScopes: 'bounces/read',
    apiCognitoAdminScopes: 'bounces/admin',
  },
  deliveriesOff: { publishDeliveryEvents: 'false' },
  alarmEmail: { alarmEmail: 'ops@example.com' },
  cors: { apiCorsAllowOrigins: 'https://admin.example.com' },
};

export interface SettingCombination {
  /** e.g. "cognito+cors", or "defaults". */
  name: string;
  settings: Record<string, string>;
}

export function allSettingCombinations(): SettingCombination[] {
  const names = Object.keys(OPTIONAL_SETTINGS);
  return Array.from({ length: 2 ** names.length }, (_, mask) => {
    const on = names.filter((_name, bit) => (mask >> bit) & 1);
    return {
      name: on.length === 0 ? 'defaults' : on.join('+'),
      settings: Object.assign({}, ...on.map((name) => OPTIONAL_SETTINGS[name])),
    };
  });
}

/** No optional setting, each one alone, and all of them together. */
export function coveringSettingCombinations(): SettingCombination[] {
  const all = allSettingCombinations();
  const count = (c: SettingCombination) => (c.name === 'defaults' ? 0 : c.name.split('+').length);
  const most = Math.max(...all.map(count));
  return all.filter((c) => count(c) <= 1 || count(c) === most);
}
