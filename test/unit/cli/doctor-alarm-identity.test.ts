import { describe, expect, it } from 'vitest';
import { watchedBy } from '../../../cli/doctor/alarm-checks';
import { ALARM_SPECS } from '../../../infra/alarm-specs';

const names = { tableName: 't', eventBusName: 'b', keyId: 'k', secretPrefix: 'p' };
const refresherSpecs = ALARM_SPECS.filter((spec) => spec.source.kind === 'refresher');

describe("doctor's alarm checks of a named refresher", () => {
  it("look for the alarms on the instance's own metrics service and namespace", () => {
    const named = { ...names, metricsNamespace: 'Team/Zoho', metricsService: 'zoho-token-refresher-dev' };

    for (const spec of refresherSpecs) {
      expect(watchedBy(spec, named), spec.id).toMatchObject({
        namespace: 'Team/Zoho',
        dimension: { name: 'service', value: 'zoho-token-refresher-dev' },
      });
    }
  });

  it('keep the defaults for a stack that names none', () => {
    for (const spec of refresherSpecs) {
      expect(watchedBy(spec, names), spec.id).toMatchObject({
        namespace: 'ZohoTokenRefresher',
        dimension: { name: 'service', value: 'zoho-token-refresher' },
      });
    }
  });
});
