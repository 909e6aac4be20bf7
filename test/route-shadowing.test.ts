import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Template } from 'aws-cdk-lib/assertions';
import { EcsPlatform, FargateWebService, FargateWebServiceProps, WebIngress } from '../packages/cdk-ecs-kit/lib';
import { derivedRulePriority } from '../packages/cdk-ecs-kit/lib/ingress/web-checks';
import { globCovers } from '../packages/cdk-ecs-kit/lib/ingress/routes';
import { newStack } from './support/synth';

// An ALB evaluates listener rules by priority, lowest first, and the first rule whose conditions
// all match wins ("Listener rules for your Application Load Balancer", Elastic Load Balancing
// User Guide, https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-rules.html).
// A rule that matches every request another rule matches, at a lower priority, leaves the other
// rule without traffic: on a shared ingress that is a synth error naming both services.

const CERTIFICATE_ARN = 'arn:aws:acm:eu-west-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';
const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx-unprivileged:stable');

function ingressStack() {
  const stack = newStack('Web');
  const platform = new EcsPlatform(stack, 'Platform');
  const ingress = new WebIngress(stack, 'Ingress', { platform, certificate: acm.Certificate.fromCertificateArn(stack, 'Certificate', CERTIFICATE_ARN) });
  const add = (id: string, props: Partial<FargateWebServiceProps>) => new FargateWebService(stack, id, {
    platform, ingress, ...props, container: { image, port: 8080 },
  });
  return { stack, add };
}

/** Two construct ids whose derived priorities put `first` before `second` (lower number). */
function idsInOrder(): { first: string; second: string } {
  const ids = Array.from({ length: 20 }, (_, i) => `Svc${i}`);
  for (const a of ids) {
    for (const b of ids) {
      if (a !== b && derivedRulePriority(`Web/${a}`) < derivedRulePriority(`Web/${b}`)) return { first: a, second: b };
    }
  }
  throw new Error('no pair of ids in order');
}

describe('listener rules that shadow each other on one ingress', () => {
  const { first, second } = idsInOrder();

  test("rejects a '/*' service whose derived priority comes before an '/api/*' service, naming both, in either construction order", () => {
    const shadowing = ingressStack();
    shadowing.add(second, { pathPatterns: ['/api/*'] });
    expect(() => shadowing.add(first, { pathPatterns: ['/*'] })).toThrow(
      new RegExp(`Web/${second} .*never get traffic.*Web/${first}`),
    );
    const reversed = ingressStack();
    reversed.add(first, { pathPatterns: ['/*'] });
    expect(() => reversed.add(second, { pathPatterns: ['/api/*'] })).toThrow(
      new RegExp(`Web/${second} .*never get traffic.*Web/${first}`),
    );
  });

  test('the error says how to fix it: a priority below the broader rule', () => {
    const { add } = ingressStack();
    add(first, { pathPatterns: ['/*'] });
    expect(() => add(second, { pathPatterns: ['/api/*'] })).toThrow(/priority .*below \d+|priority: \d+/);
  });

  test("accepts '/*' after '/api/*' when the derived priorities already order them, and keeps both priorities", () => {
    const { stack, add } = ingressStack();
    add(first, { pathPatterns: ['/api/*'] });
    add(second, { pathPatterns: ['/*'] });
    const priorities = Object.values(Template.fromStack(stack).findResources('AWS::ElasticLoadBalancingV2::ListenerRule'))
      .map((r: any) => r.Properties.Priority).sort((a: number, b: number) => a - b);
    expect(priorities).toEqual([derivedRulePriority(`Web/${first}`), derivedRulePriority(`Web/${second}`)]);
  });

  test("accepts the fix: an explicit priority for '/api/*' below the derived one of '/*'", () => {
    const { add } = ingressStack();
    add(first, { pathPatterns: ['/*'] });
    expect(() => add(second, { pathPatterns: ['/api/*'], priority: 100 })).not.toThrow();
  });

  test('rejects explicit priorities in the wrong order', () => {
    const { add } = ingressStack();
    add('Site', { hostHeaders: ['*.example.com'], priority: 10 });
    expect(() => add('Api', { hostHeaders: ['api.example.com'], priority: 20 })).toThrow(/Web\/Api .*never get traffic.*Web\/Site/);
  });

  test("a '/*' service evaluated first shadows a host-routed service too: every ALB path starts with '/'", () => {
    const { add } = ingressStack();
    add(first, { pathPatterns: ['/*'] });
    expect(() => add(second, { hostHeaders: ['api.example.com'] })).toThrow(/never get traffic/);
  });

  test('a host-routed service does not shadow a service on another host', () => {
    const { add } = ingressStack();
    add(first, { hostHeaders: ['www.example.com'] });
    expect(() => add(second, { hostHeaders: ['api.example.com'], pathPatterns: ['/v1/*'] })).not.toThrow();
  });

  test('overlapping but not covering rules are accepted (/api/* and /*/health)', () => {
    const { add } = ingressStack();
    add(first, { pathPatterns: ['/api/*'] });
    expect(() => add(second, { pathPatterns: ['/*/health'] })).not.toThrow();
  });

  test('the catch-all service (no host, no path) is evaluated last and shadows nothing', () => {
    const { add } = ingressStack();
    add('Site', {});
    expect(() => add('Api', { pathPatterns: ['/api/*'] })).not.toThrow();
  });

  test('routes with tokens are not judged', () => {
    const { stack, add } = ingressStack();
    const host = new (require('aws-cdk-lib').CfnParameter)(stack, 'Host').valueAsString;
    add(first, { pathPatterns: ['/*'] });
    expect(() => add(second, { hostHeaders: [host], pathPatterns: ['/api/*'] })).not.toThrow();
  });
});

describe('globCovers', () => {
  test.each([
    ['/*', '/api/*', true],
    ['/api/*', '/*', false],
    ['/api/*', '/api/v1/*', true],
    ['/api/*', '/api', false],
    ['*.example.com', 'api.example.com', true],
    ['*.example.com', '*.example.com', true],
    ['api.example.com', '*.example.com', false],
    ['/a?c', '/abc', true],
    ['/a?c', '/a*c', false],
    ['/a*', '/a?', true],
  ])('%s covers %s: %s', (broad, narrow, expected) => {
    expect(globCovers(broad, narrow)).toBe(expected);
  });
});
