// Integration test of FargateWebService behind a WebIngress: deploys a platform, a shared
// internet-facing ingress and one nginx service with CPU target tracking and a Cloud Map name,
// and asserts, through the AWS APIs and over HTTP, that the service reached a completed
// deployment with all tasks running, that its task is a healthy target of the load balancer,
// that the CPU scaling policy exists, that the task registered under web.internal, and that
// the load balancer answers 200 from the service.
//
// Snapshot check (no AWS):         npm run integ:check
// Snapshot update (no AWS):        npm run integ:snapshot -- integ.fargate-web-service.ts
// Deploy, assert, update snapshot: npm run integ -- integ.fargate-web-service.ts  (AWS credentials)
import { App, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsApiCall, ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { EcsPlatform, FargateWebService, WebIngress } from '../../packages/cdk-ecs-kit/lib';
import { integStack } from './support';

const app = new App();
const stack = integStack(app, 'EcsKitIntegFargateWeb');

const platform = new EcsPlatform(stack, 'Platform');

// The ingress's own access-log bucket is versioned and retained, and the load balancer writes to
// it as soon as logging is on (ELBAccessLogTestFile), so even with RemovalPolicies.destroy() from
// integStack the non-empty bucket would fail the stack's deletion. This bucket is emptied
// (writes denied first) and deleted with the stack; otherwise it is configured like the
// construct's own: SSE-S3 (all ALB log delivery supports), SSL only, no public access.
const accessLogs = new s3.Bucket(stack, 'AccessLogs', {
  encryption: s3.BucketEncryption.S3_MANAGED,
  enforceSSL: true,
  blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
  objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
  removalPolicy: RemovalPolicy.DESTROY,
  autoDeleteObjects: true,
});

const ingress = new WebIngress(stack, 'Ingress', {
  platform,
  // No certificate: an ACM certificate needs a domain whose DNS the test account controls, which a
  // fresh account does not have. Plain HTTP on an internet-facing load balancer deploys in any
  // account and lets the assertion Lambda (which runs outside the VPC) request a page; an internal
  // load balancer would be reachable only from inside the VPC. The managed WAF web ACL stays on
  // (the default for internet-facing), so the HTTP assertion also shows it lets a plain GET through.
  allowPlainHttp: true,
  internetFacing: true,
  // The default (true) would make `cdk destroy` fail on the load balancer after the test.
  deletionProtection: false,
  accessLogsBucket: accessLogs,
});
// Deleted before the bucket's auto-delete custom resource runs, so no log lands after emptying.
ingress.loadBalancer.node.addDependency(accessLogs);

const web = new FargateWebService(stack, 'Web', {
  platform,
  ingress,
  container: {
    // Listens on 8080 as a non-root user and writes only to /tmp: fits the read-only root file system.
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx-unprivileged:stable'),
    port: 8080,
    healthCheckPath: '/',
  },
  // One task is enough to prove the service starts, registers and serves; minCapacity follows it.
  desiredCount: 1,
  autoScaling: { maxCapacity: 2, targetCpuPercent: 60 },
  discoveryName: 'web',
});

const integ = new IntegTest(app, 'FargateWebServiceInteg', {
  testCases: [stack],
  // No stack-update workflow: the test is about a fresh service.
  stackUpdateWorkflow: false,
});

// The deployment completed (the circuit breaker did not roll it back) and the one task runs.
const service = integ.assertions.awsApiCall('ECS', 'describeServices', {
  cluster: platform.cluster.clusterArn,
  services: [web.service.serviceArn],
}).expect(ExpectedResult.objectLike({
  services: [{
    status: 'ACTIVE',
    desiredCount: 1,
    runningCount: 1,
    deployments: [{ status: 'PRIMARY', rolloutState: 'COMPLETED', runningCount: 1 }],
  }],
})).waitForAssertions({ totalTimeout: Duration.minutes(15), interval: Duration.seconds(30) }) as AwsApiCall;
service.waiterProvider?.addToRolePolicy({ Effect: 'Allow', Action: ['ecs:DescribeServices'], Resource: ['*'] });

// The task passed the load balancer's health check on '/'.
const targets = integ.assertions.awsApiCall('ElasticLoadBalancingV2', 'describeTargetHealth', {
  TargetGroupArn: web.targetGroup!.targetGroupArn,
}).expect(ExpectedResult.objectLike({
  TargetHealthDescriptions: [{ Target: { Port: 8080 }, TargetHealth: { State: 'healthy' } }],
})).waitForAssertions({ totalTimeout: Duration.minutes(15), interval: Duration.seconds(30) }) as AwsApiCall;
// integ-tests derives the IAM prefix 'elasticloadbalancingv2:' from the SDK name; the real one is
// 'elasticloadbalancing:'.
const describeTargetHealth = { Effect: 'Allow', Action: ['elasticloadbalancing:DescribeTargetHealth'], Resource: ['*'] };
targets.provider.addToRolePolicy(describeTargetHealth);
targets.waiterProvider?.addToRolePolicy(describeTargetHealth);

// The CPU target-tracking policy is registered on the service's desired count.
integ.assertions.awsApiCall('ApplicationAutoScaling', 'describeScalingPolicies', {
  ServiceNamespace: 'ecs',
  ResourceId: `service/${platform.cluster.clusterName}/${web.service.serviceName}`,
}).expect(ExpectedResult.objectLike({
  ScalingPolicies: [{
    PolicyType: 'TargetTrackingScaling',
    ScalableDimension: 'ecs:service:DesiredCount',
    TargetTrackingScalingPolicyConfiguration: {
      TargetValue: 60,
      PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
    },
  }],
}));

// The task registered in Cloud Map as web.internal.
const discovered = integ.assertions.awsApiCall('ServiceDiscovery', 'discoverInstances', {
  NamespaceName: 'internal',
  ServiceName: 'web',
  HealthStatus: 'HEALTHY',
}).expect(ExpectedResult.objectLike({
  Instances: [{ NamespaceName: 'internal', ServiceName: 'web', HealthStatus: 'HEALTHY' }],
})).waitForAssertions({ totalTimeout: Duration.minutes(10), interval: Duration.seconds(30) }) as AwsApiCall;
discovered.waiterProvider?.addToRolePolicy({ Effect: 'Allow', Action: ['servicediscovery:DiscoverInstances'], Resource: ['*'] });

// End to end: the load balancer routes a plain GET through the web ACL to nginx.
integ.assertions.httpApiCall(`http://${ingress.dnsName}/`)
  .expect(ExpectedResult.objectLike({ status: 200 }))
  .waitForAssertions({ totalTimeout: Duration.minutes(10), interval: Duration.seconds(30) });
