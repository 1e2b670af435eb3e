import { describe, expect, it } from 'vitest';
import { ConfigError, loadQueryApiConfig } from '../../lambdas/config.ts';

function failure(env: Record<string, string | undefined>): ConfigError {
  try {
    loadQueryApiConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadQueryApiConfig', () => {
  it('applies defaults', () => {
    // Act
    const config = loadQueryApiConfig({ TABLE_NAME: 'events' });
    // Assess
    expect(config).toEqual({
      tableName: 'events',
      cursorSigningSecret: null,
      eventRetentionDays: 60,
      recipientRetentionDays: 60,
      corsAllowOrigins: [],
      eventIndexes: 'v2',
      authorization: { type: 'iam' },
    });
  });

  it('reads every variable', () => {
    // Act
    const config = loadQueryApiConfig({
      TABLE_NAME: 'events',
      CURSOR_SIGNING_SECRET: 's'.repeat(32),
      EVENT_RETENTION_DAYS: '30',
      RECIPIENT_RETENTION_DAYS: '60',
      CORS_ALLOW_ORIGINS: 'https://app.example.com, http://localhost:5173',
      EVENT_INDEXES: 'drop-byTime',
      API_AUTHORIZATION: 'cognito',
      API_READ_SCOPES: 'bounces/read, openid',
      API_ADMIN_SCOPES: 'bounces/admin',
    });
    // Assess
    expect(config).toEqual({
      tableName: 'events',
      cursorSigningSecret: 's'.repeat(32),
      eventRetentionDays: 30,
      recipientRetentionDays: 60,
      corsAllowOrigins: ['https://app.example.com', 'http://localhost:5173'],
      eventIndexes: 'drop-byTime',
      authorization: {
        type: 'cognito',
        readScopes: ['bounces/read', 'openid'],
        adminScopes: ['bounces/admin'],
      },
    });
  });

  it.each([
    [{}, 'TABLE_NAME'],
    [{ TABLE_NAME: '  ' }, 'TABLE_NAME'],
    [{ TABLE_NAME: 'events', CURSOR_SIGNING_SECRET: 'short' }, 'CURSOR_SIGNING_SECRET'],
    [{ TABLE_NAME: 'events', EVENT_RETENTION_DAYS: 'forever' }, 'EVENT_RETENTION_DAYS'],
    [{ TABLE_NAME: 'events', EVENT_RETENTION_DAYS: '0' }, 'EVENT_RETENTION_DAYS'],
    [{ TABLE_NAME: 'events', CORS_ALLOW_ORIGINS: 'app.example.com' }, 'CORS_ALLOW_ORIGINS'],
    [{ TABLE_NAME: 'events', API_AUTHORIZATION: 'oauth' }, 'API_AUTHORIZATION'],
    [{ TABLE_NAME: 'events', API_AUTHORIZATION: 'cognito' }, 'API_ADMIN_SCOPES'],
    [{ TABLE_NAME: 'events', API_READ_SCOPES: 'bounces/read' }, 'API_READ_SCOPES'],
    [{ TABLE_NAME: 'events', API_ADMIN_SCOPES: 'bounces/admin' }, 'API_ADMIN_SCOPES'],
    [
      { TABLE_NAME: 'events', API_AUTHORIZATION: 'cognito', API_ADMIN_SCOPES: 'bounces admin' },
      'API_ADMIN_SCOPES',
    ],
    [
      { TABLE_NAME: 'events', API_AUTHORIZATION: 'cognito', API_READ_SCOPES: 'a', API_ADMIN_SCOPES: 'a' },
      'API_ADMIN_SCOPES',
    ],
  ])('fails on %j naming %s', (env, variable) => {
    // Act
    const error = failure(env);
    // Assess
    expect(error.variable).toBe(variable);
    expect(error.message).toMatch(new RegExp(`^${variable}: `));
  });

  it('says what API_AUTHORIZATION accepts and what cognito needs', () => {
    expect(failure({ TABLE_NAME: 'events', API_AUTHORIZATION: 'oauth' }).message).toBe(
      'API_AUTHORIZATION: must be one of iam, cognito, got "oauth"',
    );
    expect(failure({ TABLE_NAME: 'events', API_AUTHORIZATION: 'cognito' }).message).toBe(
      'API_ADMIN_SCOPES: is required when API_AUTHORIZATION is cognito',
    );
    expect(failure({ TABLE_NAME: 'events', API_READ_SCOPES: 'bounces/read' }).message).toBe(
      'API_READ_SCOPES: is set but API_AUTHORIZATION is iam; scopes need cognito',
    );
  });
});
