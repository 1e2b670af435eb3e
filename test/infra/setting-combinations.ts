// Every combination of the documented optional settings (infra/README.md): identity notifications, an existing
// topic, an existing configuration set, Cognito, deliveries off, an alarm e-mail, CORS, no state-change events and
// events to an existing bus. All 2^9 = 512, and the set the permission contract synthesizes: none, each alone, every
// pair, all together, and all together with the other values of the settings that change the template's shape (a
// synth takes 0.4-1 s here, 512 would add ~5 min).
import { TEST_ENV } from '../support/synth.ts';

const USER_POOL_ARN = `arn:aws:cognito-idp:${TEST_ENV.region}:${TEST_ENV.account}:userpool/${TEST_ENV.region}_AbCdEf123`;
const EXISTING_TOPIC_ARN = `arn:aws:sns:${TEST_ENV.region}:${TEST_ENV.account}:existing-ses-feedback`;
export const EVENT_BUS_ARN = `arn:aws:events:${TEST_ENV.region}:${TEST_ENV.account}:event-bus/crm`;
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
  deliveriesOff: { publishDeliveryEvents: 'false', softBounceThreshold: '0' },
  alarmEmail: { alarmEmail: 'ops@example.com' },
  cors: { apiCorsAllowOrigins: 'https://admin.example.com' },
  // Before eventBusArn, so that "all together" publishes to an existing bus (the later value wins).
  eventsOff: { eventBus: 'none' },
  eventBusArn: { eventBus: EVENT_BUS_ARN },
};

export interface SettingCombination {
  /** e.g. "cognito+cors", or "defaults". */
  name: string;
  settings: Record<string, string>;
}

function allSettingCombinations(): SettingCombination[] {
  const names = Object.keys(OPTIONAL_SETTINGS);
  return Array.from({ length: 2 ** names.length }, (_, mask) => {
    const on = names.filter((_name, bit) => (mask >> bit) & 1);
    return {
      name: on.length === 0 ? 'defaults' : on.join('+'),
      settings: Object.assign({}, ...on.map((name) => OPTIONAL_SETTINGS[name])),
    };
  });
}

/**
 * The other values of settings that change what is synthesized (not only a value in it): several identities and
 * origins, Cognito accepting ID tokens on reads (no read scope), a pinned table and configuration-set name, dry run
 * and no deletion protection. Applied on top of all optional settings.
 */
const SETTING_VARIANTS: Readonly<Record<string, string>> = {
  notificationIdentities: `${NOTIFICATION_IDENTITY},news@example.org`,
  apiCognitoScopes: '',
  apiCorsAllowOrigins: 'https://a.example.com,https://b.example.com',
  tableName: 'bounces-pinned',
  configurationSetName: 'my-existing-set',
  tableDeletionProtection: 'false',
  dryRun: 'true',
};

/**
 * No optional setting, each one alone, each pair (all four on/off pairs of any two settings appear: a 2-way covering
 * set, with every pair also alone), all of them together, and all of them with SETTING_VARIANTS.
 */
export function coveringSettingCombinations(): SettingCombination[] {
  const all = allSettingCombinations();
  const count = (c: SettingCombination) => (c.name === 'defaults' ? 0 : c.name.split('+').length);
  const most = Math.max(...all.map(count));
  const covering = all.filter((c) => count(c) <= 2 || count(c) === most);
  const everything = all.find((c) => count(c) === most);
  if (everything === undefined) throw new Error('no combination of every setting');
  return [...covering, { name: 'all+variants', settings: { ...everything.settings, ...SETTING_VARIANTS } }];
}
