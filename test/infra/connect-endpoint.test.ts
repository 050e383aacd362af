/**
 * The connect endpoint (prop `connectEndpoint`): a public Function URL on a function of its own,
 * with exactly the grants the callback needs, its outputs, and links in the refreshers' events.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { addRefresherOutputs } from '../../infra/zoho-token-refresher';
import {
  CONTEXT_PRESENT,
  logicalId,
  refresherStack,
  roleStatements,
  synthesizedRefresher,
} from './infra-support';

describe('the connect endpoint', () => {
  it('is not deployed by default', () => {
    // Act
    const { template, refresher } = synthesizedRefresher();
    // Assess
    template.resourceCountIs('AWS::Lambda::Url', 0);
    expect(refresher.connectEndpoint).toBeUndefined();
  });

  it('answers on a public Function URL from a function capped at 5 concurrent callbacks', () => {
    // Act
    const { template, refresher } = synthesizedRefresher({ connectEndpoint: true });
    // Assess
    template.resourceCountIs('AWS::Lambda::Url', 1);
    const fn = refresher.connectEndpoint?.fn.fn;
    if (fn === undefined) throw new Error('no connect endpoint');
    template.hasResourceProperties('AWS::Lambda::Url', {
      AuthType: 'NONE',
      InvokeMode: 'BUFFERED',
      TargetFunctionArn: { 'Fn::GetAtt': [logicalId(fn), 'Arn'] },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'zoho-token-refresher: connect endpoint (customers authorise connections through a link)',
      ReservedConcurrentExecutions: 5,
      Timeout: 60,
    });
  });

  it('may encrypt and decrypt refresh tokens under a connection context, and never delete a secret', () => {
    // Act
    const { template, refresher } = synthesizedRefresher({ connectEndpoint: true });
    // Assess
    const role = refresher.connectEndpoint?.fn.role;
    if (role === undefined) throw new Error('no connect endpoint');
    const statements = roleStatements(template, role);
    const actions = statements.flatMap((s) => [s.Action].flat() as string[]);
    expect(actions).toContain('kms:Encrypt');
    expect(actions).toContain('kms:Decrypt');
    expect(actions).not.toContain('secretsmanager:DeleteSecret');
    expect(statements.find((s) => s.Sid === 'EncryptNewRefreshTokens')).toMatchObject({
      Condition: CONTEXT_PRESENT,
      Resource: { 'Fn::GetAtt': [logicalId(refresher.refreshTokenKey), 'Arn'] },
    });
    const table = statements.find((s) => s.Sid === 'ConnectionTable');
    expect(table?.Action).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']);
  });

  it('gives the refreshers its base URL, for the links of their re-authorisation events', () => {
    // Act
    const { template, refresher } = synthesizedRefresher({ connectEndpoint: true });
    // Assess
    for (const fn of [
      refresher.refreshWorkerFunction,
      refresher.onDemandFunction,
      refresher.operatorFunction,
    ]) {
      const resource = template.toJSON().Resources[logicalId(fn)] as {
        Properties: { Environment: { Variables: Record<string, unknown> } };
      };
      expect(resource.Properties.Environment.Variables.CONNECT_BASE_URL, fn.node.path).toBeDefined();
    }
    const connect = template.toJSON().Resources[logicalId(refresher.connectEndpoint?.fn.fn ?? refresher)] as {
      Properties: { Environment: { Variables: Record<string, unknown> } };
    };
    expect(connect.Properties.Environment.Variables.CONNECT_BASE_URL).toBeUndefined();
  });

  it('outputs its base URL and the redirect URI to register at Zoho', () => {
    // Prepare
    const { stack, refresher } = refresherStack({ connectEndpoint: true });
    // Act
    addRefresherOutputs(stack, refresher);
    const outputs = Template.fromStack(stack).toJSON().Outputs as Record<string, { Value: unknown }>;
    // Assess
    const url = logicalId(refresher.connectEndpoint?.url ?? refresher);
    const host = { 'Fn::Select': [2, { 'Fn::Split': ['/', { 'Fn::GetAtt': [url, 'FunctionUrl'] }] }] };
    expect(outputs.ConnectBaseUrl?.Value).toEqual({ 'Fn::Join': ['', ['https://', host]] });
    expect(outputs.ConnectRedirectUri?.Value).toEqual({ 'Fn::Join': ['', ['https://', host, '/callback']] });
  });
});
