import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { EcsPlatform, FargateWebService, WebIngress } from '../packages/cdk-ecs-kit/lib';
import { formatFindings, newApp, synthWithCompliance } from './support/synth';

const CERTIFICATE_ARN = 'arn:aws:acm:eu-west-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';
const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx-unprivileged:stable');

/** A platform stack with one shared ingress. */
function platformStack(app: App) {
  const stack = new Stack(app, 'Platform');
  const platform = new EcsPlatform(stack, 'Platform');
  const certificate = acm.Certificate.fromCertificateArn(stack, 'Certificate', CERTIFICATE_ARN);
  const ingress = new WebIngress(stack, 'Ingress', { platform, certificate });
  return { stack, platform, ingress };
}

/** The reference configuration: CPU and request-count target tracking and a Cloud Map name. */
function addReferenceService(scope: Stack, id: string, platform: EcsPlatform, ingress: WebIngress, name: string) {
  return new FargateWebService(scope, id, {
    platform,
    ingress,
    hostHeaders: [`${name}.example.com`],
    // The image's non-root user, as a user states it (Control Tower CT.ECS.PR.3).
    container: { image, user: '101', port: 8080, healthCheckPath: '/healthz' },
    cpu: 512,
    memoryMiB: 1024,
    autoScaling: { minCapacity: 2, maxCapacity: 10, targetCpuPercent: 60, requestsPerTarget: 500 },
    discoveryName: name,
  });
}

function resourceCount(stack: Stack): number {
  return Object.keys(Template.fromStack(stack).toJSON().Resources ?? {}).length;
}

describe('FargateWebService at scale', () => {
  test('one more service with CPU and request scaling and a Cloud Map name adds at most 13 resources', () => {
    const withOne = platformStack(newApp());
    addReferenceService(withOne.stack, 'Orders', withOne.platform, withOne.ingress, 'orders');

    const withTwo = platformStack(newApp());
    addReferenceService(withTwo.stack, 'Orders', withTwo.platform, withTwo.ingress, 'orders');
    addReferenceService(withTwo.stack, 'Billing', withTwo.platform, withTwo.ingress, 'billing');

    // Both listen on 8080: the ingress's two rules for a container port exist once per port, not per service.
    expect(resourceCount(withTwo.stack) - resourceCount(withOne.stack)).toBeLessThanOrEqual(13);
  });

  test('60 services over a platform stack and three service stacks synthesize with no cycle and no nag or validator finding', () => {
    const app = newApp();
    const { stack: shared, platform, ingress } = platformStack(app);
    const serviceStacks = [1, 2, 3].map((n) => new Stack(app, `Services${n}`));
    for (let i = 0; i < 60; i++) {
      const stack = serviceStacks[i % serviceStacks.length];
      addReferenceService(stack, `Service${i}`, platform, ingress, `svc${i}`);
    }

    // The four nag packs and the validator at scale. Control Tower's rules (cfn-guard, ~30 s on
    // these templates) judge each resource on its own, and the same service shape is judged by
    // them in every world of the compliance matrix (test/support/matrix.ts), so not here again.
    const result = synthWithCompliance(app, { controlTower: false });

    expect(result.error).toBeUndefined();
    expect(formatFindings(result.findings)).toEqual([]);
    for (const stack of serviceStacks) {
      expect(stack.dependencies).toEqual([shared]);
    }
    expect(shared.dependencies).toEqual([]);
  });
});
