import {
  DescribeScalableTargetsCommand,
  DescribeScalingPoliciesCommand,
} from '@aws-sdk/client-application-auto-scaling';
import {
  CloudFormationClient,
  DescribeStacksCommand,
  ListStackResourcesCommand,
} from '@aws-sdk/client-cloudformation';
import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { VerifyCheck, VerifyProblemKind, VerifyReport } from '../src/report';
import { verifyStack } from '../src/verify';
import {
  awsError,
  DEPLOYED_AT,
  healthyService,
  livePolicy,
  mockHealthyStack,
  policyName,
  REGION,
  registeredTarget,
  resourceId,
  rollingOutService,
  STACK,
  STACK_ID,
  stackResources,
} from './fixtures';

function check(report: VerifyReport, resource: string, name: string): VerifyCheck {
  const found = report.checks.filter(c => c.resource === resource && c.check === name);
  if (found.length !== 1) throw new Error(`expected one ${name} check on ${resource}, found ${found.length}: ${JSON.stringify(report.checks)}`);
  return found[0];
}

function failed(report: VerifyReport): string[] {
  return report.checks.filter(c => !c.ok).map(c => `${c.resource} ${c.check}`);
}

describe('verifyStack on a healthy stack', () => {
  test('passes every check and exits 0', async () => {
    const { clients } = mockHealthyStack(['api', 'worker']);

    const report = await verifyStack({ stackName: STACK }, clients);

    expect(failed(report)).toEqual([]);
    expect(report).toMatchObject({ stack: STACK, region: REGION, ok: true, exitCode: 0 });
    expect(report.error).toBeUndefined();
  });

  test('checks the stack, each service and each scalable target with its policies', async () => {
    const { clients } = mockHealthyStack(['api', 'worker']);

    const report = await verifyStack({ stackName: STACK }, clients);

    expect(report.checks.map(c => `${c.resource} ${c.check}`)).toEqual([
      'stack/WebStack stack-status',
      'stack/WebStack ecs-services-found',
      ...['api', 'worker'].flatMap(n => ['service-active', 'rollout-completed', 'tasks-running', 'no-failure-events'].map(c => `${resourceId(n)} ${c}`)),
      ...['api', 'worker'].flatMap(n => ['target-registered', 'capacity-matches-template'].map(c => `${resourceId(n)} ${c}`)),
      ...['api', 'worker'].flatMap(n => [`${resourceId(n)} target-tracking-policy`, `${resourceId(n)} target-tracking-policy`]),
    ]);
    expect(report.summary).toEqual({ passed: 18, failed: 0 });
  });

  test('reports observed values in words', async () => {
    const { clients } = mockHealthyStack(['api']);

    const report = await verifyStack({ stackName: STACK }, clients);

    expect(check(report, 'stack/WebStack', 'stack-status').observed).toBe('UPDATE_COMPLETE');
    expect(check(report, resourceId('api'), 'tasks-running').observed).toBe('2 running of 2 desired');
    expect(check(report, resourceId('api'), 'target-registered').observed).toBe('registered, min 2, max 10');
    expect(check(report, resourceId('api'), 'capacity-matches-template')).toMatchObject({ observed: 'min 2, max 10', expected: 'min 2, max 10' });
    expect(check(report, resourceId('api'), 'no-failure-events').observed).toBe('none');
  });

  test('ignores failure events from before the current deployment started', async () => {
    const { clients } = mockHealthyStack(['api']);

    const report = await verifyStack({ stackName: STACK }, clients);

    // The fixture's service has a "deployment failed" event two hours before this deployment.
    expect(check(report, resourceId('api'), 'no-failure-events')).toMatchObject({
      ok: true,
      expected: `no rollback or task start failure event since ${DEPLOYED_AT.toISOString()}`,
    });
  });
});

describe('verifyStack reading the stack', () => {
  test('reads every page of the stack resources', async () => {
    const { clients, cfnMock } = mockHealthyStack(['api', 'worker']);
    const [cluster, ...rest] = stackResources(['api', 'worker']);
    cfnMock.on(ListStackResourcesCommand)
      .resolvesOnce({ StackResourceSummaries: [cluster, ...rest.slice(0, 4)], NextToken: 'page-2' })
      .resolvesOnce({ StackResourceSummaries: rest.slice(4) });

    const report = await verifyStack({ stackName: STACK }, clients);

    // (The SDK paginator reuses one input object, so only the last call's input is inspectable.)
    const calls = cfnMock.commandCalls(ListStackResourcesCommand);
    expect(calls).toHaveLength(2);
    expect(calls[1].args[0].input).toEqual({ StackName: STACK_ID, NextToken: 'page-2' });
    // The worker's service, target and policies are only on the second page.
    expect(check(report, resourceId('worker'), 'rollout-completed').ok).toBe(true);
    expect(check(report, resourceId('worker'), 'target-registered').ok).toBe(true);
    expect(report.summary).toEqual({ passed: 18, failed: 0 });
  });

  test('reads the services of nested stacks', async () => {
    const { clients, cfnMock, ecsMock } = mockHealthyStack(['api']);
    const nestedId = STACK_ID.replace('/0a1b2c3d', '-WorkersNested-1/4e5f');
    cfnMock.on(ListStackResourcesCommand, { StackName: STACK_ID }).resolves({
      StackResourceSummaries: [...stackResources(['api']), {
        LogicalResourceId: 'WorkersNested', PhysicalResourceId: nestedId, ResourceType: 'AWS::CloudFormation::Stack',
        ResourceStatus: 'UPDATE_COMPLETE', LastUpdatedTimestamp: DEPLOYED_AT,
      }],
    });
    cfnMock.on(ListStackResourcesCommand, { StackName: nestedId }).resolves({
      StackResourceSummaries: stackResources(['worker']).filter(r => r.ResourceType === 'AWS::ECS::Service'),
    });
    ecsMock.on(DescribeServicesCommand).resolves({ services: [healthyService('api'), healthyService('worker')] });

    const report = await verifyStack({ stackName: STACK }, clients);

    expect(check(report, resourceId('worker'), 'rollout-completed')).toMatchObject({ ok: true, logicalId: 'WorkersNested/WorkerService' });
    expect(report.exitCode).toBe(0);
  });

  test('fails a stack whose last update rolled back', async () => {
    const { clients, cfnMock } = mockHealthyStack(['api']);
    cfnMock.on(DescribeStacksCommand).resolves({
      Stacks: [{ StackName: STACK, StackId: STACK_ID, StackStatus: 'UPDATE_ROLLBACK_COMPLETE', CreationTime: DEPLOYED_AT }],
    });

    const report = await verifyStack({ stackName: STACK }, clients);

    expect(check(report, 'stack/WebStack', 'stack-status')).toMatchObject({ ok: false, observed: 'UPDATE_ROLLBACK_COMPLETE' });
    expect(report.exitCode).toBe(1);
  });

  test('fails a stack without ECS services, since it is most likely the wrong stack', async () => {
    const { clients, cfnMock } = mockHealthyStack([]);
    cfnMock.on(ListStackResourcesCommand).resolves({ StackResourceSummaries: [] });

    const report = await verifyStack({ stackName: STACK }, clients);

    expect(check(report, 'stack/WebStack', 'ecs-services-found')).toMatchObject({ ok: false, observed: '0 ECS services, 0 ECS scalable targets' });
    expect(report.exitCode).toBe(1);
  });

  test('describes services of one cluster 10 at a time', async () => {
    const names = Array.from({ length: 12 }, (_, i) => `svc${i}`);
    const { clients, ecsMock } = mockHealthyStack(names);

    const report = await verifyStack({ stackName: STACK }, clients);

    const batches = ecsMock.commandCalls(DescribeServicesCommand).map(c => c.args[0].input.services?.length);
    expect(batches).toEqual([10, 2]);
    expect(report.exitCode).toBe(0);
  });
});

describe('verifyStack on services', () => {
  test('fails a rollout still in progress, checking once when not asked to wait', async () => {
    const { clients, ecsMock } = mockHealthyStack(['api']);
    ecsMock.on(DescribeServicesCommand).resolves({ services: [rollingOutService('api')] });

    const report = await verifyStack({ stackName: STACK }, clients);

    expect(ecsMock.commandCalls(DescribeServicesCommand)).toHaveLength(1);
    expect(check(report, resourceId('api'), 'rollout-completed')).toMatchObject({
      ok: false,
      observed: 'IN_PROGRESS: ECS deployment ecs-svc/2 in progress.',
      expected: 'COMPLETED',
    });
    expect(report.exitCode).toBe(1);
  });

  test('with a wait, polls a rollout in progress until it completes', async () => {
    const { clients, ecsMock } = mockHealthyStack(['api']);
    ecsMock.on(DescribeServicesCommand)
      .resolvesOnce({ services: [rollingOutService('api')] })
      .resolvesOnce({ services: [rollingOutService('api')] })
      .resolves({ services: [healthyService('api')] });
    const progress: string[] = [];

    const report = await verifyStack(
      { stackName: STACK, waitMs: 10_000, pollIntervalMs: 1, onProgress: m => progress.push(m) }, clients);

    expect(ecsMock.commandCalls(DescribeServicesCommand)).toHaveLength(3);
    expect(progress[0]).toBe(`waiting for 1 of 1 services: ${resourceId('api')} IN_PROGRESS, 1/2 running`);
    expect(check(report, resourceId('api'), 'rollout-completed')).toMatchObject({ ok: true, observed: 'COMPLETED' });
    expect(report.exitCode).toBe(0);
  });

  test('with a wait, fails a rollout still in progress when the wait runs out', async () => {
    const { clients, ecsMock } = mockHealthyStack(['api']);
    ecsMock.on(DescribeServicesCommand).resolves({ services: [rollingOutService('api')] });

    const started = Date.now();
    const report = await verifyStack({ stackName: STACK, waitMs: 50, pollIntervalMs: 10 }, clients);

    expect(Date.now() - started).toBeLessThan(2_000);
    expect(ecsMock.commandCalls(DescribeServicesCommand).length).toBeGreaterThan(1);
    expect(check(report, resourceId('api'), 'rollout-completed').ok).toBe(false);
    expect(report.exitCode).toBe(1);
  });

  test('fails a rollout that failed, and stops waiting as soon as it fails', async () => {
    const { clients, ecsMock } = mockHealthyStack(['api']);
    const service = healthyService('api');
    ecsMock.on(DescribeServicesCommand).resolves({
      services: [{
        ...service,
        runningCount: 0,
        deployments: [{
          ...service.deployments![0],
          rolloutState: 'FAILED',
          rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
          runningCount: 0,
        }],
      }],
    });

    const report = await verifyStack({ stackName: STACK, waitMs: 60_000, pollIntervalMs: 1 }, clients);

    expect(ecsMock.commandCalls(DescribeServicesCommand)).toHaveLength(1);
    expect(check(report, resourceId('api'), 'rollout-completed')).toMatchObject({
      ok: false,
      observed: 'FAILED: ECS deployment circuit breaker: tasks failed to start.',
    });
    expect(report.exitCode).toBe(1);
  });

  test('fails when fewer tasks run than desired', async () => {
    const { clients, ecsMock } = mockHealthyStack(['api']);
    ecsMock.on(DescribeServicesCommand).resolves({ services: [healthyService('api', { runningCount: 1, pendingCount: 1 })] });

    const report = await verifyStack({ stackName: STACK }, clients);

    expect(check(report, resourceId('api'), 'tasks-running')).toMatchObject({
      ok: false,
      observed: '1 running of 2 desired, 1 pending',
      expected: '2 running',
    });
    expect(failed(report)).toEqual([`${resourceId('api')} tasks-running`]);
    expect(report.exitCode).toBe(1);
  });

  test('fails on a circuit-breaker rollback event since the deployment started', async () => {
    const { clients, ecsMock } = mockHealthyStack(['api']);
    const service = healthyService('api');
    const at = new Date(DEPLOYED_AT.getTime() + 3 * 60_000);
    ecsMock.on(DescribeServicesCommand).resolves({
      services: [{
        ...service,
        events: [
          { id: 'r2', createdAt: at, message: '(service api) rolling back to deployment ecs-svc/api-1.' },
          { id: 'r1', createdAt: at, message: '(service api) (deployment ecs-svc/api-2) deployment failed: tasks failed to start.' },
          ...service.events!,
        ],
      }],
    });

    const report = await verifyStack({ stackName: STACK }, clients);

    expect(check(report, resourceId('api'), 'no-failure-events')).toMatchObject({
      ok: false,
      observed: `2 failure events, latest ${at.toISOString()}: (service api) rolling back to deployment ecs-svc/api-1.`,
    });
    expect(report.exitCode).toBe(1);
  });

  test('fails on an event reporting tasks failing to start since the deployment started', async () => {
    const { clients, ecsMock } = mockHealthyStack(['api']);
    const service = healthyService('api');
    ecsMock.on(DescribeServicesCommand).resolves({
      services: [{
        ...service,
        events: [{
          id: 'p1',
          createdAt: new Date(DEPLOYED_AT.getTime() + 60_000),
          message: '(service api) was unable to place a task because no container instance met all of its requirements.',
        }],
      }],
    });

    const report = await verifyStack({ stackName: STACK }, clients);

    expect(check(report, resourceId('api'), 'no-failure-events').ok).toBe(false);
  });

  test('fails a service that no longer exists', async () => {
    const { clients, ecsMock } = mockHealthyStack(['api']);
    ecsMock.on(DescribeServicesCommand).resolves({ services: [], failures: [{ arn: healthyService('api').serviceArn, reason: 'MISSING' }] });

    const report = await verifyStack({ stackName: STACK }, clients);

    expect(check(report, resourceId('api'), 'service-active')).toMatchObject({ ok: false, observed: 'MISSING', expected: 'ACTIVE' });
    expect(report.checks.filter(c => c.resource === resourceId('api')).map(c => c.check))
      .not.toContain('rollout-completed');
  });

  test('fails the services of a cluster that no longer exists', async () => {
    const { clients, ecsMock } = mockHealthyStack(['api']);
    ecsMock.on(DescribeServicesCommand).rejects(awsError('ClusterNotFoundException', 'Cluster not found.'));

    const report = await verifyStack({ stackName: STACK }, clients);

    expect(check(report, resourceId('api'), 'service-active').observed).toMatch(/^cluster .* not found$/);
    expect(report.exitCode).toBe(1);
  });
});

describe('verifyStack on scaling', () => {
  test('fails when a target-tracking policy of the stack is missing', async () => {
    const { clients, scalingMock } = mockHealthyStack(['api']);
    scalingMock.on(DescribeScalingPoliciesCommand, { ResourceId: resourceId('api') })
      .resolves({ ScalingPolicies: [livePolicy('api', 'Cpu')] });

    const report = await verifyStack({ stackName: STACK }, clients);

    const policies = report.checks.filter(c => c.check === 'target-tracking-policy');
    expect(policies).toEqual([
      expect.objectContaining({ ok: true, logicalId: 'ApiCpuScaling' }),
      expect.objectContaining({
        ok: false,
        logicalId: 'ApiRequestsScaling',
        observed: `${policyName('api', 'Requests')}: missing`,
        expected: `${policyName('api', 'Requests')}: TargetTrackingScaling`,
      }),
    ]);
    expect(report.exitCode).toBe(1);
  });

  test('fails when a policy of the stack is no longer target tracking', async () => {
    const { clients, scalingMock } = mockHealthyStack(['api']);
    scalingMock.on(DescribeScalingPoliciesCommand, { ResourceId: resourceId('api') })
      .resolves({ ScalingPolicies: [livePolicy('api', 'Cpu'), { ...livePolicy('api', 'Requests'), PolicyType: 'StepScaling' }] });

    const report = await verifyStack({ stackName: STACK }, clients);

    expect(failed(report)).toEqual([`${resourceId('api')} target-tracking-policy`]);
  });

  test('fails when the scalable target is not registered', async () => {
    const { clients, scalingMock } = mockHealthyStack(['api']);
    scalingMock.on(DescribeScalableTargetsCommand).resolves({ ScalableTargets: [] });

    const report = await verifyStack({ stackName: STACK }, clients);

    expect(check(report, resourceId('api'), 'target-registered')).toMatchObject({ ok: false, observed: 'not registered' });
    expect(scalingMock.commandCalls(DescribeScalableTargetsCommand)[0].args[0].input)
      .toEqual({ ServiceNamespace: 'ecs', ResourceIds: [resourceId('api')] });
  });

  test('fails when the registered min/max differ from the template', async () => {
    const { clients, scalingMock } = mockHealthyStack(['api']);
    scalingMock.on(DescribeScalableTargetsCommand).resolves({ ScalableTargets: [registeredTarget('api', { min: 1, max: 4 })] });

    const report = await verifyStack({ stackName: STACK }, clients);

    expect(check(report, resourceId('api'), 'capacity-matches-template')).toMatchObject({
      ok: false,
      observed: 'min 1, max 4',
      expected: 'min 2, max 10',
    });
  });
});

describe('verifyStack when AWS cannot be asked', () => {
  test('exits 2 when access is denied, naming the call and the permissions needed', async () => {
    const { clients, cfnMock } = mockHealthyStack(['api']);
    cfnMock.on(DescribeStacksCommand).rejects(awsError('AccessDenied',
      'User: arn:aws:sts::111122223333:assumed-role/ci/x is not authorized to perform: cloudformation:DescribeStacks', { httpStatusCode: 403 }));

    const report = await verifyStack({ stackName: STACK }, clients);

    expect(report).toMatchObject({ ok: false, exitCode: 2, error: { kind: VerifyProblemKind.ACCESS_DENIED } });
    expect(report.error?.message).toMatch(/^Access denied \(cloudformation:DescribeStacks\): .* The identity running verify needs read access: cloudformation:DescribeStacks, .*ecs:DescribeServices/);
  });

  test('exits 2 when access to ECS is denied, keeping the checks made before', async () => {
    const { clients, ecsMock } = mockHealthyStack(['api']);
    ecsMock.on(DescribeServicesCommand).rejects(awsError('AccessDeniedException', 'not authorized to perform: ecs:DescribeServices'));

    const report = await verifyStack({ stackName: STACK }, clients);

    expect(report).toMatchObject({ exitCode: 2, error: { kind: VerifyProblemKind.ACCESS_DENIED } });
    expect(report.error?.message).toContain('(ecs:DescribeServices)');
    expect(report.checks.map(c => c.check)).toEqual(['stack-status', 'ecs-services-found']);
  });

  test('exits 2 when no credentials are found, saying how to provide them', async () => {
    const { clients, cfnMock } = mockHealthyStack(['api']);
    cfnMock.on(DescribeStacksCommand).rejects(awsError('CredentialsProviderError', 'Could not load credentials from any providers'));

    const report = await verifyStack({ stackName: STACK }, clients);

    expect(report).toMatchObject({ exitCode: 2, error: { kind: VerifyProblemKind.NO_CREDENTIALS } });
    expect(report.error?.message).toContain('No AWS credentials found');
    expect(report.error?.message).toContain('Set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY');
  });

  test('exits 2 when the named profile gives no credentials, naming the profile', async () => {
    const { clients, cfnMock } = mockHealthyStack(['api']);
    cfnMock.on(DescribeStacksCommand).rejects(awsError('CredentialsProviderError', 'Could not load credentials from any providers'));

    const report = await verifyStack({ stackName: STACK, profile: 'deploy' }, clients);

    expect(report.error?.message).toContain("profile 'deploy'");
    expect(report.error?.message).toContain('aws sso login --profile deploy');
  });

  test('exits 2 when no region is configured', async () => {
    const { clients } = mockHealthyStack(['api']);
    const noRegion = new CloudFormationClient({ region: async () => { throw new Error('Region is missing'); } });

    const report = await verifyStack({ stackName: STACK }, { ...clients, cloudFormation: noRegion });

    expect(report).toMatchObject({ exitCode: 2, region: undefined, error: { kind: VerifyProblemKind.NO_REGION } });
    expect(report.error?.message).toContain('pass --region, set AWS_REGION');
  });

  test('exits 2 when the stack does not exist', async () => {
    const { clients, cfnMock } = mockHealthyStack(['api']);
    cfnMock.on(DescribeStacksCommand).rejects(awsError('ValidationError', `Stack with id ${STACK} does not exist`));

    const report = await verifyStack({ stackName: STACK }, clients);

    expect(report).toMatchObject({ exitCode: 2, error: { kind: VerifyProblemKind.STACK_NOT_FOUND } });
    expect(report.error?.message).toBe(`Stack '${STACK}' does not exist in ${REGION} for these credentials' account. `
      + 'Check --stack (the CloudFormation stack name, as `cdk list` shows it), --region and the account.');
  });

  test('exits 2 when AWS still throttles after the SDK retries', async () => {
    const { clients, scalingMock } = mockHealthyStack(['api']);
    scalingMock.on(DescribeScalableTargetsCommand).rejects(awsError('ThrottlingException', 'Rate exceeded', { attempts: 8 }));

    const report = await verifyStack({ stackName: STACK }, clients);

    expect(report).toMatchObject({ exitCode: 2, error: { kind: VerifyProblemKind.THROTTLED } });
    expect(report.error?.message).toBe('AWS throttled the requests (application-autoscaling:DescribeScalableTargets) after 8 attempts: '
      + 'Rate exceeded. Try again later, or allow more retries with AWS_MAX_ATTEMPTS.');
  });

  test('exits 2 when the credentials are expired', async () => {
    const { clients, cfnMock } = mockHealthyStack(['api']);
    cfnMock.on(DescribeStacksCommand).rejects(awsError('ExpiredToken', 'The security token included in the request is expired', { httpStatusCode: 403 }));

    const report = await verifyStack({ stackName: STACK }, clients);

    expect(report.error?.kind).toBe(VerifyProblemKind.INVALID_CREDENTIALS);
  });
});
