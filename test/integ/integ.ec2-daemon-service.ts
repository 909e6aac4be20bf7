// Integration test of Ec2DaemonService: deploys a platform with one EC2 instance and a bridge-mode
// daemon with the construct's hardening defaults (read-only root file system, init process,
// NET_RAW dropped) and a read-only host volume, and asserts, through the AWS APIs, that ECS
// schedules it as a DAEMON and runs one task on the instance.
//
// Snapshot check (no AWS):         npm run integ:check
// Snapshot update (no AWS):        npm run integ:snapshot -- integ.ec2-daemon-service.ts
// Deploy, assert, update snapshot: npm run integ -- integ.ec2-daemon-service.ts  (AWS credentials)
import { App, Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { AwsApiCall, ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { Ec2DaemonService, EcsPlatform } from '../../packages/cdk-ecs-kit/lib';
import { integStack } from './support';

const app = new App();
const stack = integStack(app, 'EcsKitIntegDaemon');

const platform = new EcsPlatform(stack, 'Platform', {
  // One small Graviton instance: the daemon's desired count is then exactly 1.
  ec2Capacity: { instanceType: new ec2.InstanceType('t4g.small'), minCapacity: 1, maxCapacity: 1 },
});

const daemon = new Ec2DaemonService(stack, 'Daemon', {
  platform,
  // networkMode: the default, BRIDGE.
  container: {
    // Multi-architecture (arm64 for the Graviton instance). `sleep` writes nothing, so it runs on
    // the read-only root file system (the default); it is not PID 1 (the init process is), so
    // SIGTERM on deletion stops it. Far longer than any test run, so the task never exits by itself.
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/busybox:stable'),
    command: ['sleep', '2147483647'],
    // nobody:nogroup: the agent needs no root to read world-readable host files.
    user: '65534:65534',
  },
  // Read-only (the default for host volumes).
  hostVolumes: [{ hostPath: '/var/log', containerPath: '/host/var/log' }],
  // cpu and memory: the defaults (128 units, 256 MiB reserved) fit next to the ECS agent on t4g.small.
});

const integ = new IntegTest(app, 'Ec2DaemonServiceInteg', {
  testCases: [stack],
  // No stack-update workflow: the test is about a fresh daemon.
  stackUpdateWorkflow: false,
});

// ECS schedules the service as a daemon and runs one task on the one instance: the instance has
// to boot and join the cluster first, and the task to start and stay up.
const service = integ.assertions.awsApiCall('ECS', 'describeServices', {
  cluster: platform.cluster.clusterArn,
  services: [daemon.service.serviceArn],
}).expect(ExpectedResult.objectLike({
  services: [{ status: 'ACTIVE', schedulingStrategy: 'DAEMON', launchType: 'EC2', desiredCount: 1, runningCount: 1, pendingCount: 0 }],
})).waitForAssertions({ totalTimeout: Duration.minutes(15), interval: Duration.seconds(30) }) as AwsApiCall;
service.waiterProvider?.addToRolePolicy({ Effect: 'Allow', Action: ['ecs:DescribeServices'], Resource: ['*'] });
