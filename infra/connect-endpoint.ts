/**
 * The optional connect endpoint (construct prop `connectEndpoint`): the hosted Zoho consent flow,
 * `GET /connect` and `GET /callback`, on a Lambda Function URL.
 *
 * Why a Function URL and not an API Gateway HTTP API: two GET routes answered by one function need
 * no routing, authorisers, stages or custom domain; a Function URL costs nothing beyond the
 * invocation and adds no service to run, alarm and scan. What an HTTP API would add here — stage
 * throttling — is global, not per client, and WAF fronts neither: the per-address limit lives in
 * the function (a counter item per address and minute) and the reserved concurrency caps the rest.
 */
import { Duration, Fn, type RemovalPolicy } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { CALLBACK_PATH } from '../functions/core/connect-link';
import { CONNECT_CONCURRENCY } from './connect-concurrency';
import { acknowledgeFunction, skipCheckov } from './nag-suppressions';
import type { RefreshTokenKey } from './refresh-token-key';
import { CONNECTION_CONTEXT_PRESENT } from './refresh-token-key';
import { ProjectFunction } from './refresher-function';
import { grantRefresher } from './refresher-permissions';
import type { ResolvedRefresherProps } from './refresher-props';

export interface ConnectEndpointProps {
  readonly settings: ResolvedRefresherProps;
  readonly environment: Record<string, string>;
  readonly table: dynamodb.ITable;
  readonly eventBus: events.IEventBus;
  readonly key: RefreshTokenKey;
  readonly removalPolicy: RemovalPolicy;
}

/** The connect function and its public URL. */
export class ConnectEndpoint extends Construct {
  readonly fn: ProjectFunction;
  readonly url: lambda.FunctionUrl;

  constructor(scope: Construct, id: string, props: ConnectEndpointProps) {
    super(scope, id);
    const { settings } = props;
    // 60 s, 256 MB: a callback is one code exchange (8 s at most) and the first refresh, which is at
    // worst one refresh's worst case (≈ 47 s, as on demand).
    this.fn = new ProjectFunction(this, 'Connect', {
      handlerName: 'connect',
      description: 'zoho-token-refresher: connect endpoint (customers authorise connections through a link)',
      memorySize: 256,
      timeout: Duration.seconds(60),
      reservedConcurrentExecutions: CONNECT_CONCURRENCY,
      environment: props.environment,
      removalPolicy: props.removalPolicy,
      logRetention: settings.logRetention,
      tracing: settings.tracing,
      // Only its Function URL invokes it, synchronously: no asynchronous event to retry or keep.
      asyncInvoke: { retryAttempts: 0 },
    });
    // The callback stores the connection and makes its first refresh, as the operator function does
    // (without DeleteSecret: it never revokes a connection), and encrypts the new refresh token.
    grantRefresher(this.fn.role, {
      table: props.table,
      eventBus: props.eventBus,
      secretPrefix: settings.secretPrefix,
      accessTokenKey: settings.accessTokenKey,
      kind: 'onDemand',
    });
    props.key.allowDecrypt(this.fn.role, 'ConnectEndpointDecrypts');
    this.fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'EncryptNewRefreshTokens',
        actions: ['kms:Encrypt'],
        resources: [props.key.key.keyArn],
        conditions: CONNECTION_CONTEXT_PRESENT,
      }),
    );
    this.url = this.fn.fn.addFunctionUrl({
      // The customer's browser calls it: the link's single-use state is the credential.
      authType: lambda.FunctionUrlAuthType.NONE,
      invokeMode: lambda.InvokeMode.BUFFERED,
    });
    acknowledgeFunction(this.fn, settings.secretPrefix, 'connectEndpoint');
    skipCheckov(this.url, [
      {
        id: 'CKV_AWS_258',
        comment:
          "The connect endpoint is public by design: a customer's browser opens it from a link. Each request is authorised by the link's single-use, expiring state (stored hashed, consumed by a conditional write); requests are limited per source address and by reserved concurrency.",
      },
    ]);
  }

  /** The base URL links point at (`https://<id>.lambda-url.<region>.on.aws`, no trailing slash). */
  get baseUrl(): string {
    // The URL attribute ends in '/'; its host is the third '/'-separated part of it.
    return `https://${Fn.select(2, Fn.split('/', this.url.url))}`;
  }

  /** The redirect URI to register in Zoho's API console. */
  get redirectUri(): string {
    return `${this.baseUrl}${CALLBACK_PATH}`;
  }
}
