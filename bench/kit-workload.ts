import { Duration, Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { BatchTaskSchedule, Ec2DaemonService, EcsPlatform, FargateWebService, WebIngress } from '../packages/cdk-ecs-kit/lib';
import { CERTIFICATE_ARN, IMAGE, WorkloadOptions, WorkloadStacks } from './workload';

/**
 * The reference workload on cdk-ecs-kit: web services on one shared WebIngress (host-routed),
 * an EC2 daemon on host networking and a nightly batch job.
 */
export function buildKitWorkload(scope: Construct, options: WorkloadOptions): WorkloadStacks {
  const platformStack = new Stack(scope, 'KitPlatform');
  const platform = new EcsPlatform(platformStack, 'Platform', {
    ec2Capacity: options.withDaemonAndBatch
      ? { instanceType: new ec2.InstanceType('m7g.large'), minCapacity: 1, maxCapacity: 4 }
      : undefined,
    serviceConnect: options.serviceConnect,
  });
  const ingress = new WebIngress(platformStack, 'Ingress', {
    platform,
    certificate: acm.Certificate.fromCertificateArn(platformStack, 'Certificate', CERTIFICATE_ARN),
  });

  if (options.withDaemonAndBatch) {
    new Ec2DaemonService(platformStack, 'Agent', {
      platform,
      container: { image: ecs.ContainerImage.fromRegistry(IMAGE), user: '1000' },
      networkMode: ecs.NetworkMode.HOST,
      hostVolumes: [{ hostPath: '/var/log', containerPath: '/host/var/log' }],
      memoryReservationMiB: 256,
    });
    new BatchTaskSchedule(platformStack, 'Nightly', {
      platform,
      container: { image: ecs.ContainerImage.fromRegistry(IMAGE), command: ['node', 'report.js'] },
      cpu: 1024,
      memoryMiB: 2048,
      schedule: scheduler.ScheduleExpression.cron({ hour: '2', minute: '0' }),
      retries: 2,
      timeout: Duration.hours(1),
    });
  }

  const serviceStacks: Stack[] = [];
  const stackFor = (index: number): Stack => {
    if (!options.servicesPerStack) return platformStack;
    const stackIndex = Math.floor(index / options.servicesPerStack);
    if (!serviceStacks[stackIndex]) serviceStacks[stackIndex] = new Stack(scope, `KitServices${stackIndex + 1}`);
    return serviceStacks[stackIndex];
  };

  const services: FargateWebService[] = [];
  for (let i = 0; i < options.webServices; i++) {
    const stack = stackFor(i);
    const secrets = i === 0
      ? { DB_PASSWORD: ecs.Secret.fromSecretsManager(secretsmanager.Secret.fromSecretNameV2(stack, 'DbSecret', 'db'), 'password') }
      : undefined;
    services.push(new FargateWebService(stack, `Web${i}`, {
      platform,
      ingress,
      hostHeaders: [`web${i}.example.com`],
      container: { image: ecs.ContainerImage.fromRegistry(IMAGE), port: 8080, healthCheckPath: '/healthz', secrets },
      cpu: 512,
      memoryMiB: 1024,
      autoScaling: { minCapacity: 2, maxCapacity: 10, targetCpuPercent: 60, requestsPerTarget: 500 },
      discoveryName: `web${i}`,
      serviceConnect: options.serviceConnect ? { name: `web${i}` } : undefined,
    }));
  }
  return { platformStack, serviceStacks, link: (callee, caller) => services[callee].allowFrom(services[caller]) };
}
