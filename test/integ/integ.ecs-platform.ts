// Integration test of EcsPlatform: deploys a platform with EC2 capacity and asserts, through
// the AWS APIs, that the cluster is active with Container Insights, that the EC2 capacity
// provider has managed scaling and draining, that an instance registered with the cluster,
// and that the Cloud Map namespace exists.
//
// Snapshot check (no AWS):         npm run integ:check
// Snapshot update (no AWS):        npm run integ:snapshot -- integ.ecs-platform.ts
// Deploy, assert, update snapshot: npm run integ -- integ.ecs-platform.ts  (AWS credentials)
import { App, Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { AwsApiCall, ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { EcsPlatform } from '../../packages/cdk-ecs-kit/lib';
import { integStack } from './support';

const app = new App();
const stack = integStack(app, 'EcsKitIntegPlatform');

const platform = new EcsPlatform(stack, 'Platform', {
  // One small Graviton instance is enough to prove the AMI, user data and instance role let it join.
  ec2Capacity: { instanceType: new ec2.InstanceType('t4g.small'), minCapacity: 1, maxCapacity: 1 },
});

const integ = new IntegTest(app, 'EcsPlatformInteg', {
  testCases: [stack],
  // No stack-update workflow: the test is about a fresh platform.
  stackUpdateWorkflow: false,
});

// The cluster is ACTIVE with enhanced Container Insights.
integ.assertions.awsApiCall('ECS', 'describeClusters', {
  clusters: [platform.cluster.clusterArn],
  include: ['SETTINGS'],
}).expect(ExpectedResult.objectLike({
  clusters: [{ status: 'ACTIVE', settings: [{ name: 'containerInsights', value: 'enhanced' }] }],
}));

// The EC2 capacity provider is active with managed scaling and managed draining.
integ.assertions.awsApiCall('ECS', 'describeCapacityProviders', {
  capacityProviders: [platform.ec2CapacityProvider!.capacityProviderName],
}).expect(ExpectedResult.objectLike({
  capacityProviders: [{
    status: 'ACTIVE',
    autoScalingGroupProvider: { managedScaling: { status: 'ENABLED' }, managedDraining: 'ENABLED' },
  }],
}));

// An instance from the Auto Scaling group booted the ECS-optimized AMI and joined the cluster.
const instances = integ.assertions.awsApiCall('ECS', 'describeClusters', {
  clusters: [platform.cluster.clusterArn],
}).expect(ExpectedResult.objectLike({
  clusters: [{ registeredContainerInstancesCount: 1 }],
})).waitForAssertions({ totalTimeout: Duration.minutes(10), interval: Duration.seconds(30) }) as AwsApiCall;
instances.waiterProvider?.addToRolePolicy({ Effect: 'Allow', Action: ['ecs:DescribeClusters'], Resource: ['*'] });

// The Cloud Map private DNS namespace services register in.
integ.assertions.awsApiCall('ServiceDiscovery', 'getNamespace', {
  Id: platform.namespace.namespaceId,
}).expect(ExpectedResult.objectLike({
  Namespace: { Name: 'internal', Type: 'DNS_PRIVATE' },
}));
