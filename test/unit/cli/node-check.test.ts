import { describe, expect, it } from 'vitest';
import { nodeCheck } from '../../../cli/doctor/node-check';

describe('doctor: the Node version', () => {
  it('says Node 20 works but the functions and coming AWS SDK releases need Node 22', () => {
    expect(nodeCheck('v20.20.2')).toEqual({
      name: 'node',
      status: 'ok',
      message:
        'Node v20.20.2 works; the functions run on Node 22, and AWS SDK releases from January 2027 need it: upgrade before updating the SDK',
    });
  });

  it('is plainly fine on the Lambda runtime’s Node 22 and later', () => {
    for (const version of ['v22.23.3', 'v24.1.0']) {
      expect(nodeCheck(version).message).toBe(`Node ${version}, as the functions' Lambda runtime (Node 22)`);
    }
  });
});
