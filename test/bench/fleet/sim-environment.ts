/**
 * What every simulated port shares: the virtual clock, the seeded randomness and the AWS call model,
 * and the invocation a port facade belongs to. A facade is made per invocation, so a call knows its
 * function's meter and CPU, and stops answering once Lambda stopped the invocation.
 */
import { type AwsApi, type AwsCallModel, awsCall, type CallContext } from './aws-calls';
import type { SimRandom } from './random';
import type { VirtualTime } from './virtual-time';

export interface SimEnvironment {
  readonly time: VirtualTime;
  readonly random: SimRandom;
  readonly aws: AwsCallModel;
}

/** A port facade's link to the simulation: one AWS call at a time, counted for its invocation. */
export class SimPort {
  constructor(
    protected readonly env: SimEnvironment,
    protected readonly context: CallContext,
  ) {}

  /** One AWS call (about `connectionId`): its latency passes; throws SimAwsError when every attempt faulted. */
  protected call(api: AwsApi, connectionId?: string): Promise<void> {
    if (connectionId !== undefined) this.context.onConnectionCall?.(connectionId);
    return awsCall(this.env.time, this.env.random, this.env.aws, this.context, api);
  }
}
