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
import { refresherStack } from './infra-support';

const attempt = (props: ZohoTokenRefresherProps) => () =>
  new ZohoTokenRefresher(new Stack(), 'Refresher', props);

describe('props validation', () => {
  it.each<[string, ZohoTokenRefresherProps, RegExp]>([
    [
      'margin not above rate + cache + jitter',
      { refreshMargin: Duration.minutes(12) },
      /refreshMargin must exceed scheduleRate \(5 min\) \+ consumer cache \(5 min\) \+ jitter \(2 min\) = 12 min .*got 12 min/,
    ],
    [
      'margin too close to the token life',
      { refreshMargin: Duration.minutes(50) },
      /less than 50 min \(got 50 min\)/,
    ],
    [
      'a slow schedule against the default margin',
      { scheduleRate: Duration.minutes(10) },
      /= 17 min and be less than 50 min \(got 15 min\)/,
    ],
    [
      'a schedule in seconds',
      { scheduleRate: Duration.seconds(90) },
      /scheduleRate must be a whole number of minutes, at least 1 \(got 90 s\)/,
    ],
    ['a budget of 0', { zohoBudget: 0 }, /zohoBudget must be an integer from 1 to 9 \(got 0\)/],
    [
      'a budget of 10 (Zoho blocks the 11th; we never send the 10th)',
      { zohoBudget: 10 },
      /zohoBudget must be an integer from 1 to 9 \(got 10\)/,
    ],
    ['a fractional budget', { zohoBudget: 2.5 }, /zohoBudget must be an integer/],
    [
      'no sweep concurrency',
      { sweepConcurrency: 0 },
      /sweepConcurrency must be an integer from 1 to 50 \(got 0\)/,
    ],
    [
      'a sweep below 256 MB',
      { sweepMemorySize: 128 },
      /sweepMemorySize must be an integer from 256 to 10240 \(got 128\)/,
    ],
    ['a sweep above 10,240 MB', { sweepMemorySize: 10_241 }, /sweepMemorySize must be an integer/],
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
      'an example consumer without a connection',
      { exampleConsumer: true },
      /exampleConsumerConnectionId is required when exampleConsumer is true/,
    ],
    [
      'a connection for an example consumer that is not deployed',
      { exampleConsumerConnectionId: 'acme-books' },
      /exampleConsumerConnectionId is set but exampleConsumer is not true: set both or neither/,
    ],
    [
      'a connection with exampleConsumer false',
      { exampleConsumer: false, exampleConsumerConnectionId: 'acme-books' },
      /exampleConsumerConnectionId is set but exampleConsumer is not true/,
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
    [
      'a schedule in fractions of a second',
      { scheduleRate: Duration.millis(60_500) },
      /scheduleRate must be a whole number of minutes, at least 1 \(got 60.5 s\)/,
    ],
    [
      'an example consumer with a bad id',
      { exampleConsumer: true, exampleConsumerConnectionId: '_x' },
      /exampleConsumerConnectionId: connection id must be/,
    ],
  ])('refuses %s', (_case, props, message) => {
    expect(attempt(props)).toThrow(ConfigurationError);
    expect(attempt(props)).toThrow(message);
  });

  it('accepts the boundaries', () => {
    const accepted = [
      { refreshMargin: Duration.minutes(13) },
      { refreshMargin: Duration.minutes(49) },
      { scheduleRate: Duration.minutes(1), refreshMargin: Duration.minutes(9) },
      { zohoBudget: 1 },
      { zohoBudget: 9 },
      { sweepConcurrency: 50 },
      { sweepMemorySize: 256 },
      { sweepMemorySize: 10_240 },
      { secretPrefix: 'team-a/zoho_tokens.v2' },
      { alarmEmail: 'ops+zoho@example.co.uk' },
      { removalPolicy: RemovalPolicy.DESTROY },
      { exampleConsumer: false },
    ];
    expect(accepted.map((props) => resolveRefresherProps(props).zohoBudget)).toHaveLength(accepted.length);
  });

  it('applies the documented defaults', () => {
    const settings = resolveRefresherProps();
    expect({
      scheduleRate: settings.scheduleRate.toMinutes(),
      refreshMargin: settings.refreshMargin.toMinutes(),
      zohoBudget: settings.zohoBudget,
      sweepConcurrency: settings.sweepConcurrency,
      sweepMemorySize: settings.sweepMemorySize,
      secretPrefix: settings.secretPrefix,
      alarmEmail: settings.alarmEmail,
      removalPolicy: settings.removalPolicy,
      allowedAccountsServers: settings.allowedAccountsServers,
      exampleConsumerConnectionId: settings.exampleConsumerConnectionId,
      identity: settings.identity,
      existingAlarmTopic: settings.existingAlarmTopic,
      logRetention: settings.logRetention,
      tracing: settings.tracing,
    }).toEqual({
      scheduleRate: 5,
      refreshMargin: 15,
      zohoBudget: 9,
      sweepConcurrency: 8,
      sweepMemorySize: 256,
      secretPrefix: 'zoho-token-refresher',
      alarmEmail: undefined,
      removalPolicy: 'retain',
      allowedAccountsServers: [],
      exampleConsumerConnectionId: undefined,
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

describe('context of cdk deploy', () => {
  const settings = (context: Record<string, unknown>) => settingsFromContext(new App({ context }).node);

  it('reads -c strings and cdk.json values alike', () => {
    const fromStrings = settings({
      stackName: 'ZohoProd',
      scheduleRateMinutes: '2',
      refreshMarginMinutes: '20',
      zohoBudget: '5',
      sweepConcurrency: '4',
      sweepMemorySize: '1024',
      secretPrefix: 'prod/zoho',
      alarmEmail: 'ops@example.com',
      removalPolicy: 'destroy',
      allowedAccountsServers: 'https://a.example.com, https://b.example.com',
      exampleConsumer: 'true',
      exampleConsumerConnectionId: 'acme',
    });
    const fromJson = settings({
      scheduleRateMinutes: 2,
      exampleConsumer: false,
      allowedAccountsServers: ['https://a.example.com'],
    });
    expect(fromStrings.stackName).toBe('ZohoProd');
    expect({
      ...fromStrings.refresher,
      scheduleRate: fromStrings.refresher.scheduleRate?.toMinutes(),
      refreshMargin: fromStrings.refresher.refreshMargin?.toMinutes(),
    }).toEqual({
      scheduleRate: 2,
      refreshMargin: 20,
      zohoBudget: 5,
      sweepConcurrency: 4,
      sweepMemorySize: 1024,
      secretPrefix: 'prod/zoho',
      alarmEmail: 'ops@example.com',
      removalPolicy: 'destroy',
      allowedAccountsServers: ['https://a.example.com', 'https://b.example.com'],
      exampleConsumer: true,
      exampleConsumerConnectionId: 'acme',
    });
    expect(fromJson.stackName).toBe('ZohoTokenRefresher');
    expect(fromJson.refresher.scheduleRate?.toMinutes()).toBe(2);
    expect(fromJson.refresher.exampleConsumer).toBe(false);
    expect(fromJson.refresher.allowedAccountsServers).toEqual(['https://a.example.com']);
  });

  it.each([
    [{ zohoBudget: 'nine' }, /context 'zohoBudget' must be a whole number \(got "nine"\)/],
    [{ scheduleRateMinutes: '1.5' }, /context 'scheduleRateMinutes' must be a whole number/],
    [{ removalPolicy: 'keep' }, /context 'removalPolicy' must be 'retain' or 'destroy' \(got "keep"\)/],
    [{ exampleConsumer: 'yes' }, /context 'exampleConsumer' must be true or false/],
    [{ alarmEmail: '' }, /context 'alarmEmail' must be a non-empty string/],
    [{ allowedAccountsServers: 3 }, /context 'allowedAccountsServers' must be a comma-separated list/],
  ])('refuses context %j', (context, message) => {
    expect(() => settings(context)).toThrow(message);
  });
});
