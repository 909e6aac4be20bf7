import {
  ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
  DescribeScalingPoliciesCommand,
  ScalableTarget,
  ScalingPolicy,
} from '@aws-sdk/client-application-auto-scaling';
import {
  CloudFormationClient,
  DescribeStacksCommand,
  GetTemplateCommand,
  ListStackResourcesCommand,
  StackResourceSummary,
} from '@aws-sdk/client-cloudformation';
import { DescribeServicesCommand, ECSClient, Service } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { VerifyClients } from '../src/verify';

// A deployed stack as the reference app makes it: one cluster, web services with a
// scalable target (2..10 tasks) and two target-tracking policies each (CPU, requests).

export const REGION = 'eu-west-1';
export const ACCOUNT = '111122223333';
export const STACK = 'WebStack';
export const STACK_ID = `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/${STACK}/0a1b2c3d`;
export const CLUSTER = 'WebStack-PlatformCluster1A2B3C';
const DIMENSION = 'ecs:service:DesiredCount';

/** When the current (PRIMARY) deployments started: ten minutes ago. */
export const DEPLOYED_AT = new Date(Date.now() - 10 * 60_000);

export function serviceArn(name: string): string {
  return `arn:aws:ecs:${REGION}:${ACCOUNT}:service/${CLUSTER}/${name}`;
}

export function resourceId(name: string): string {
  return `service/${CLUSTER}/${name}`;
}

export function policyName(name: string, metric: 'Cpu' | 'Requests'): string {
  return `${STACK}${logical(name)}${metric}Scaling`;
}

export function policyArn(name: string, metric: 'Cpu' | 'Requests'): string {
  return `arn:aws:autoscaling:${REGION}:${ACCOUNT}:scalingPolicy:5f6e7d8c-${name}-${metric}:`
    + `resource/ecs/${resourceId(name)}:policyName/${policyName(name, metric)}`;
}

function logical(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** The stack's resources as ListStackResources lists them. */
export function stackResources(names: string[]): StackResourceSummary[] {
  const summary = (logicalId: string, type: string, physicalId: string): StackResourceSummary => ({
    LogicalResourceId: logicalId,
    PhysicalResourceId: physicalId,
    ResourceType: type,
    ResourceStatus: 'UPDATE_COMPLETE',
    LastUpdatedTimestamp: DEPLOYED_AT,
  });
  return [
    summary('PlatformCluster', 'AWS::ECS::Cluster', CLUSTER),
    ...names.flatMap(name => [
      summary(`${logical(name)}Service`, 'AWS::ECS::Service', serviceArn(name)),
      // Physical ids as CloudFormation reports them: RESOURCE_ID|DIMENSION|NAMESPACE and POLICY_ARN|DIMENSION.
      summary(`${logical(name)}ScalableTarget`, 'AWS::ApplicationAutoScaling::ScalableTarget', `${resourceId(name)}|${DIMENSION}|ecs`),
      summary(`${logical(name)}CpuScaling`, 'AWS::ApplicationAutoScaling::ScalingPolicy', `${policyArn(name, 'Cpu')}|${DIMENSION}`),
      summary(`${logical(name)}RequestsScaling`, 'AWS::ApplicationAutoScaling::ScalingPolicy', `${policyArn(name, 'Requests')}|${DIMENSION}`),
    ]),
  ];
}

/** The stack's template, as GetTemplate returns it. */
export function templateBody(names: string[], capacity = { min: 2, max: 10 }): string {
  const resources: Record<string, unknown> = { PlatformCluster: { Type: 'AWS::ECS::Cluster' } };
  for (const name of names) {
    const service = `${logical(name)}Service`;
    const target = `${logical(name)}ScalableTarget`;
    resources[service] = { Type: 'AWS::ECS::Service', Properties: { Cluster: { Ref: 'PlatformCluster' } } };
    resources[target] = {
      Type: 'AWS::ApplicationAutoScaling::ScalableTarget',
      Properties: {
        MinCapacity: capacity.min,
        MaxCapacity: capacity.max,
        ResourceId: { 'Fn::Join': ['', ['service/', { Ref: 'PlatformCluster' }, '/', { 'Fn::GetAtt': [service, 'Name'] }]] },
        ScalableDimension: DIMENSION,
        ServiceNamespace: 'ecs',
      },
    };
    for (const metric of ['Cpu', 'Requests'] as const) {
      resources[`${logical(name)}${metric}Scaling`] = {
        Type: 'AWS::ApplicationAutoScaling::ScalingPolicy',
        Properties: {
          PolicyName: policyName(name, metric),
          PolicyType: 'TargetTrackingScaling',
          ScalingTargetId: { Ref: target },
          TargetTrackingScalingPolicyConfiguration: { TargetValue: metric === 'Cpu' ? 60 : 500 },
        },
      };
    }
  }
  return JSON.stringify({ Resources: resources });
}

/** A healthy service: ACTIVE, rollout COMPLETED, 2 of 2 running, an old failure long before this deployment. */
export function healthyService(name: string, overrides: Partial<Service> = {}): Service {
  return {
    serviceArn: serviceArn(name),
    serviceName: name,
    clusterArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${CLUSTER}`,
    status: 'ACTIVE',
    desiredCount: 2,
    runningCount: 2,
    pendingCount: 0,
    deploymentController: { type: 'ECS' },
    deployments: [{
      id: `ecs-svc/${name}-2`,
      status: 'PRIMARY',
      rolloutState: 'COMPLETED',
      rolloutStateReason: 'ECS deployment ecs-svc/2 completed.',
      createdAt: DEPLOYED_AT,
      desiredCount: 2,
      runningCount: 2,
    }],
    events: [
      { id: 'e3', createdAt: new Date(DEPLOYED_AT.getTime() + 5 * 60_000), message: `(service ${name}) has reached a steady state.` },
      { id: 'e2', createdAt: new Date(DEPLOYED_AT.getTime() + 60_000), message: `(service ${name}) has started 2 tasks: (task a) (task b).` },
      // Before this deployment: a failure that was fixed by it.
      { id: 'e1', createdAt: new Date(DEPLOYED_AT.getTime() - 2 * 3600_000), message: `(service ${name}) (deployment ecs-svc/${name}-1) deployment failed: tasks failed to start.` },
    ],
    ...overrides,
  };
}

/** A service whose PRIMARY deployment is still rolling out. */
export function rollingOutService(name: string): Service {
  const service = healthyService(name);
  return {
    ...service,
    runningCount: 1,
    pendingCount: 1,
    deployments: [{ ...service.deployments![0], rolloutState: 'IN_PROGRESS', rolloutStateReason: 'ECS deployment ecs-svc/2 in progress.', runningCount: 1 }],
  };
}

export function registeredTarget(name: string, capacity = { min: 2, max: 10 }): ScalableTarget {
  return {
    ServiceNamespace: 'ecs',
    ResourceId: resourceId(name),
    ScalableDimension: DIMENSION,
    MinCapacity: capacity.min,
    MaxCapacity: capacity.max,
    RoleARN: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService`,
    CreationTime: DEPLOYED_AT,
  };
}

export function livePolicy(name: string, metric: 'Cpu' | 'Requests'): ScalingPolicy {
  return {
    PolicyARN: policyArn(name, metric),
    PolicyName: policyName(name, metric),
    ServiceNamespace: 'ecs',
    ResourceId: resourceId(name),
    ScalableDimension: DIMENSION,
    PolicyType: 'TargetTrackingScaling',
    CreationTime: DEPLOYED_AT,
  };
}

/** An error as the SDK throws it for a service error code. */
export function awsError(name: string, message: string, metadata: { httpStatusCode?: number; attempts?: number } = {}): Error {
  return Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode: 400, ...metadata } });
}

/**
 * Mocked clients answering for a healthy deployed stack with the given services. Tests
 * override single commands on the returned mocks to break one thing at a time.
 */
export function mockHealthyStack(names: string[] = ['api', 'worker']) {
  const cloudFormation = new CloudFormationClient({ region: REGION });
  const ecs = new ECSClient({ region: REGION });
  const applicationAutoScaling = new ApplicationAutoScalingClient({ region: REGION });
  const cfnMock = mockClient(cloudFormation);
  const ecsMock = mockClient(ecs);
  const scalingMock = mockClient(applicationAutoScaling);

  cfnMock.on(DescribeStacksCommand).resolves({
    Stacks: [{ StackName: STACK, StackId: STACK_ID, StackStatus: 'UPDATE_COMPLETE', CreationTime: DEPLOYED_AT }],
  });
  cfnMock.on(ListStackResourcesCommand).resolves({ StackResourceSummaries: stackResources(names) });
  cfnMock.on(GetTemplateCommand).resolves({ TemplateBody: templateBody(names) });
  ecsMock.on(DescribeServicesCommand).callsFake(input => ({
    services: (input.services as string[]).filter(s => names.includes(s)).map(s => healthyService(s)),
    failures: [],
  }));
  scalingMock.on(DescribeScalableTargetsCommand).resolves({ ScalableTargets: names.map(n => registeredTarget(n)) });
  for (const name of names) {
    scalingMock.on(DescribeScalingPoliciesCommand, { ResourceId: resourceId(name) })
      .resolves({ ScalingPolicies: [livePolicy(name, 'Cpu'), livePolicy(name, 'Requests')] });
  }

  const clients: VerifyClients = { cloudFormation, ecs, applicationAutoScaling };
  return { clients, cfnMock, ecsMock, scalingMock };
}
