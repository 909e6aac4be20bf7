import { Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as ecsPatterns from 'aws-cdk-lib/aws-ecs-patterns';
import * as events from 'aws-cdk-lib/aws-events';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as servicediscovery from 'aws-cdk-lib/aws-servicediscovery';
import { Construct } from 'constructs';
import { CERTIFICATE_ARN, IMAGE, WorkloadOptions, WorkloadStacks } from './workload';

/**
 * The reference workload as an aws-ecs-patterns user writes it: one
 * ApplicationLoadBalancedFargateService (its own ALB) per web service with a certificate,
 * HTTP->HTTPS redirect, circuit breaker, Cloud Map name and CPU + request-count target
 * tracking; an Ec2Service daemon; a ScheduledFargateTask.
 */
export function buildPatternsWorkload(scope: Construct, options: WorkloadOptions): WorkloadStacks {
  const platformStack = new Stack(scope, 'PatternsPlatform');
  const vpc = new ec2.Vpc(platformStack, 'Vpc', { maxAzs: 2, natGateways: 1 });
  const cluster = new ecs.Cluster(platformStack, 'Cluster', {
    vpc,
    containerInsightsV2: ecs.ContainerInsights.ENHANCED,
    defaultCloudMapNamespace: { name: 'internal', type: servicediscovery.NamespaceType.DNS_PRIVATE, vpc },
  });

  if (options.withDaemonAndBatch) {
    cluster.addCapacity('Ec2Capacity', {
      instanceType: new ec2.InstanceType('m7g.large'),
      machineImage: ecs.EcsOptimizedImage.amazonLinux2023(ecs.AmiHardwareType.ARM),
      minCapacity: 1,
      maxCapacity: 4,
    });
    const daemonTask = new ecs.Ec2TaskDefinition(platformStack, 'AgentTask', { networkMode: ecs.NetworkMode.HOST });
    daemonTask.addVolume({ name: 'varlog', host: { sourcePath: '/var/log' } });
    const agent = daemonTask.addContainer('agent', {
      image: ecs.ContainerImage.fromRegistry(IMAGE),
      memoryReservationMiB: 256,
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'agent' }),
    });
    agent.addMountPoints({ sourceVolume: 'varlog', containerPath: '/host/var/log', readOnly: true });
    new ecs.Ec2Service(platformStack, 'Agent', { cluster, taskDefinition: daemonTask, daemon: true });

    new ecsPatterns.ScheduledFargateTask(platformStack, 'Nightly', {
      cluster,
      schedule: events.Schedule.cron({ hour: '2', minute: '0' }),
      scheduledFargateTaskImageOptions: { image: ecs.ContainerImage.fromRegistry(IMAGE), cpu: 1024, memoryLimitMiB: 2048, command: ['node', 'report.js'] },
    });
  }

  const serviceStacks: Stack[] = [];
  const stackFor = (index: number): Stack => {
    if (!options.servicesPerStack) return platformStack;
    const stackIndex = Math.floor(index / options.servicesPerStack);
    if (!serviceStacks[stackIndex]) serviceStacks[stackIndex] = new Stack(scope, `PatternsServices${stackIndex + 1}`);
    return serviceStacks[stackIndex];
  };

  const webs: ecsPatterns.ApplicationLoadBalancedFargateService[] = [];
  for (let i = 0; i < options.webServices; i++) {
    const stack = stackFor(i);
    const certificate = acm.Certificate.fromCertificateArn(stack, `Certificate${i}`, CERTIFICATE_ARN);
    const secrets = i === 0
      ? { DB_PASSWORD: ecs.Secret.fromSecretsManager(secretsmanager.Secret.fromSecretNameV2(stack, 'DbSecret', 'db'), 'password') }
      : undefined;
    const web = new ecsPatterns.ApplicationLoadBalancedFargateService(stack, `Web${i}`, {
      cluster,
      cpu: 512,
      memoryLimitMiB: 1024,
      desiredCount: 2,
      certificate,
      redirectHTTP: true,
      circuitBreaker: { rollback: true },
      cloudMapOptions: { name: `web${i}` },
      taskImageOptions: { image: ecs.ContainerImage.fromRegistry(IMAGE), containerPort: 8080, secrets },
    });
    webs.push(web);
    web.targetGroup.configureHealthCheck({ path: '/healthz' });
    const scaling = web.service.autoScaleTaskCount({ minCapacity: 2, maxCapacity: 10 });
    scaling.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: 60 });
    scaling.scaleOnRequestCount('Requests', { requestsPerTarget: 500, targetGroup: web.targetGroup });
  }
  // What an aws-ecs-patterns user writes: aws-cdk-lib puts the rule in the callee's stack.
  const link = (callee: number, caller: number) => webs[callee].service.connections.allowFrom(webs[caller].service, ec2.Port.tcp(8080));
  return { platformStack, serviceStacks, link };
}
