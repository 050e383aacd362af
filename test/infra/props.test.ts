/**
 * Invalid props and context fail the synth, in the constructor, with a message naming the setting.
 */
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../functions/core/errors';
import { settingsFromContext } from '../../infra/app-context';
import { resolveRefresherProps, type ZohoTokenRefresherProps } from '../../infra/refresher-props';
import { ZohoTokenRefresher } from '../../infra/zoho-token-refresher';
import { ZohoTokenRefresherStack } from '../../infra/zoho-token-refresher-stack';
import { refresherStack, testApp } from './infra-support';

const attempt = (props: ZohoTokenRefresherProps) => () =>
  new ZohoTokenRefresher(new Stack(), 'Refresher', props);

describe('props validation', () => {
  it.each<[string, ZohoTokenRefresherProps, RegExp]>([
    [
      'margin not above the planner period + cache + jitter',
      { refreshMargin: Duration.seconds(390) },
      /refreshMargin must exceed the planner's period \(1 min\) \+ consumer cache \(5 min\) \+ refreshJitter \(0.5 min\) = 6.5 min .*got 6.5 min/,
    ],
    [
      'a larger jitter against the default margin',
      { refreshJitter: Duration.seconds(330) },
      /= 11.5 min and be less than 50 min \(got 11.5 min\)/,
    ],
    [
      'a jitter above 10 minutes',
      { refreshJitter: Duration.seconds(601) },
      /refreshJitter must be from 0 to 10 minutes \(got 601 s\)/,
    ],
    [
      'a jitter in fractions of a second',
      { refreshJitter: Duration.millis(1_500) },
      /refreshJitter must be a whole number of seconds \(got 1.5 s\)/,
    ],
    [
      'no secret writes',
      { secretWritesPerSecond: 0 },
      /secretWritesPerSecond must be an integer from 1 to 45 \(got 0\)/,
    ],
    [
      'the whole region quota of secret writes',
      { secretWritesPerSecond: 50 },
      /secretWritesPerSecond must be an integer from 1 to 45 \(got 50\)/,
    ],
    [
      'margin too close to the token life',
      { refreshMargin: Duration.minutes(50) },
      /less than 50 min \(got 50 min\)/,
    ],
    ['a budget of 0', { zohoBudget: 0 }, /zohoBudget must be an integer from 1 to 9 \(got 0\)/],
    [
      'a budget of 10 (Zoho blocks the 11th; we never send the 10th)',
      { zohoBudget: 10 },
      /zohoBudget must be an integer from 1 to 9 \(got 10\)/,
    ],
    ['a fractional budget', { zohoBudget: 2.5 }, /zohoBudget must be an integer/],
    [
      'a wildcard in the prefix',
      { secretPrefix: 'zoho*' },
      /secretPrefix must be 1-200 characters .*got "zoho\*"/,
    ],
    ['a leading slash', { secretPrefix: '/zoho' }, /secretPrefix/],
    ['a trailing slash', { secretPrefix: 'zoho/' }, /secretPrefix/],
    ['an empty segment', { secretPrefix: 'a//b' }, /secretPrefix/],
    ['a space', { secretPrefix: 'my zoho' }, /secretPrefix/],
    ['an empty prefix', { secretPrefix: '' }, /secretPrefix/],
    ['an over-long prefix', { secretPrefix: 'a'.repeat(201) }, /secretPrefix/],
    [
      'an e-mail without domain',
      { alarmEmail: 'ops@localhost' },
      /alarmEmail must be an e-mail address .*got "ops@localhost"/,
    ],
    ['not an e-mail', { alarmEmail: 'ops' }, /alarmEmail/],
    [
      'a plain-http accounts server',
      { allowedAccountsServers: ['http://accounts.example.com'] },
      /allowedAccountsServers: http:\/\/accounts.example.com must use https/,
    ],
    [
      'not a URL',
      { allowedAccountsServers: ['accounts.example.com'] },
      /allowedAccountsServers: accounts server is not a URL/,
    ],
    [
      'credentials in the URL',
      { allowedAccountsServers: ['https://accounts.zoho.com@evil.example'] },
      /must not carry credentials/,
    ],
    [
      'a SNAPSHOT removal policy (the key, queues and log groups have none)',
      { removalPolicy: RemovalPolicy.SNAPSHOT },
      /removalPolicy must be RemovalPolicy.RETAIN or RemovalPolicy.DESTROY \(got snapshot\)/,
    ],
    [
      'a RETAIN_ON_UPDATE_OR_DELETE removal policy',
      { removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE },
      /removalPolicy must be RemovalPolicy.RETAIN or RemovalPolicy.DESTROY \(got retain-on-update-or-delete\)/,
    ],
    [
      'a margin in fractions of a second',
      { refreshMargin: Duration.millis(900_500) },
      /refreshMargin must be a whole number of seconds \(got 900.5 s\)/,
    ],
  ])('refuses %s', (_case, props, message) => {
    expect(attempt(props)).toThrow(ConfigurationError);
    expect(attempt(props)).toThrow(message);
  });

  it('accepts the boundaries', () => {
    const accepted = [
      { refreshMargin: Duration.seconds(7 * 60 + 1) },
      { refreshMargin: Duration.minutes(49) },
      { refreshJitter: Duration.seconds(0), refreshMargin: Duration.seconds(6 * 60 + 1) },
      { refreshJitter: Duration.minutes(10), refreshMargin: Duration.seconds(16 * 60 + 1) },
      { zohoBudget: 1 },
      { zohoBudget: 9 },
      { secretWritesPerSecond: 1 },
      { secretWritesPerSecond: 45 },
      { secretPrefix: 'team-a/zoho_tokens.v2' },
      { alarmEmail: 'ops+zoho@example.co.uk' },
      { removalPolicy: RemovalPolicy.DESTROY },
    ];
    expect(accepted.map((props) => resolveRefresherProps(props).zohoBudget)).toHaveLength(accepted.length);
  });

  it('applies the documented defaults', () => {
    const settings = resolveRefresherProps();
    expect({
      refreshMargin: settings.refreshMargin.toSeconds(),
      refreshJitter: settings.refreshJitter.toSeconds(),
      zohoBudget: settings.zohoBudget,
      secretWritesPerSecond: settings.secretWritesPerSecond,
      refreshWorkerConcurrency: settings.refreshWorkerConcurrency,
      secretPrefix: settings.secretPrefix,
      alarmEmail: settings.alarmEmail,
      removalPolicy: settings.removalPolicy,
      allowedAccountsServers: settings.allowedAccountsServers,
      identity: settings.identity,
      existingAlarmTopic: settings.existingAlarmTopic,
      logRetention: settings.logRetention,
      tracing: settings.tracing,
    }).toEqual({
      refreshMargin: 690,
      refreshJitter: 30,
      zohoBudget: 9,
      secretWritesPerSecond: 20,
      refreshWorkerConcurrency: 10,
      secretPrefix: 'zoho-token-refresher',
      alarmEmail: undefined,
      removalPolicy: 'retain',
      allowedAccountsServers: [],
      identity: {
        instanceName: undefined,
        metrics: { namespace: 'ZohoTokenRefresher', service: 'zoho-token-refresher' },
        outputPrefix: '',
      },
      existingAlarmTopic: undefined,
      logRetention: 90,
      tracing: 'Disabled',
    });
  });

  it.each(['../other', 'a/b', '*', ''])('refuses to grant the token of connection %j', (connectionId) => {
    // Prepare
    const { stack, refresher } = refresherStack();
    const role = new iam.Role(stack, 'Consumer', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    // Act + Assess
    expect(() => refresher.grantReadToken(role, connectionId)).toThrow(
      /ZohoTokenRefresher: connection id must be/,
    );
    expect(() => refresher.consumerPolicy('Policy', connectionId)).toThrow(ConfigurationError);
  });
});

describe('the example consumer of the stack', () => {
  it('refuses a connection id the consumer grant could not name', () => {
    // Act
    const build = () =>
      new ZohoTokenRefresherStack(testApp(), 'BadExample', { exampleConsumerConnectionId: '_x' });
    // Assess
    expect(build).toThrow(ConfigurationError);
    expect(build).toThrow(/ZohoTokenRefresher: connection id must be/);
  });
});

describe('context of cdk deploy', () => {
  const settings = (context: Record<string, unknown>) => settingsFromContext(new App({ context }).node);

  it('reads -c strings and cdk.json values alike', () => {
    const fromStrings = settings({
      stackName: 'ZohoProd',
      refreshMarginMinutes: '20',
      refreshJitterSeconds: '90',
      zohoBudget: '5',
      secretWritesPerSecond: '40',
      secretPrefix: 'prod/zoho',
      alarmEmail: 'ops@example.com',
      removalPolicy: 'destroy',
      allowedAccountsServers: 'https://a.example.com, https://b.example.com',
      exampleConsumer: 'true',
      exampleConsumerConnectionId: 'acme',
    });
    const fromJson = settings({
      secretWritesPerSecond: 35,
      exampleConsumer: false,
      allowedAccountsServers: ['https://a.example.com'],
    });
    expect(fromStrings.stackName).toBe('ZohoProd');
    expect({
      ...fromStrings.refresher,
      refreshMargin: fromStrings.refresher.refreshMargin?.toMinutes(),
      refreshJitter: fromStrings.refresher.refreshJitter?.toSeconds(),
    }).toEqual({
      refreshMargin: 20,
      refreshJitter: 90,
      zohoBudget: 5,
      secretWritesPerSecond: 40,
      secretPrefix: 'prod/zoho',
      alarmEmail: 'ops@example.com',
      removalPolicy: 'destroy',
      allowedAccountsServers: ['https://a.example.com', 'https://b.example.com'],
    });
    expect(fromStrings.exampleConsumerConnectionId).toBe('acme');
    expect(fromJson.stackName).toBe('ZohoTokenRefresher');
    expect(fromJson.refresher.secretWritesPerSecond).toBe(35);
    expect(fromJson.exampleConsumerConnectionId).toBeUndefined();
    expect(fromJson.refresher.allowedAccountsServers).toEqual(['https://a.example.com']);
  });

  it.each([
    [{ zohoBudget: 'nine' }, /context 'zohoBudget' must be a whole number \(got "nine"\)/],
    [{ refreshJitterSeconds: '1.5' }, /context 'refreshJitterSeconds' must be a whole number/],
    [{ scheduleRateMinutes: 1 }, /context 'scheduleRateMinutes' was removed: the planner runs every minute/],
    [{ sweepConcurrency: '8' }, /context 'sweepConcurrency' was removed/],
    [{ sweepMemorySize: 1024 }, /context 'sweepMemorySize' was removed/],
    [{ removalPolicy: 'keep' }, /context 'removalPolicy' must be 'retain' or 'destroy' \(got "keep"\)/],
    [{ exampleConsumer: 'yes' }, /context 'exampleConsumer' must be true or false/],
    [
      { exampleConsumer: 'true' },
      /context 'exampleConsumerConnectionId' is required when 'exampleConsumer' is true/,
    ],
    [
      { exampleConsumerConnectionId: 'acme-books' },
      /context 'exampleConsumerConnectionId' is set but 'exampleConsumer' is not true: set both or neither/,
    ],
    [
      { exampleConsumer: false, exampleConsumerConnectionId: 'acme-books' },
      /context 'exampleConsumerConnectionId' is set but 'exampleConsumer' is not true/,
    ],
    [{ alarmEmail: '' }, /context 'alarmEmail' must be a non-empty string/],
    [{ allowedAccountsServers: 3 }, /context 'allowedAccountsServers' must be a comma-separated list/],
  ])('refuses context %j', (context, message) => {
    expect(() => settings(context)).toThrow(message);
  });
});
