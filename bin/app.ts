#!/usr/bin/env node
import { App, Duration, Environment, NestedStack, Stack, Validations } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { BatchTaskSchedule, ComplianceReport, Ec2DaemonService, EcsPlatform, FargateWebService, WebIngress } from '../packages/cdk-ecs-kit/lib';
import { addCompliancePacks } from './compliance';

/** The stacks of the reference app. */
export interface ReferenceApp {
  readonly platformStack: Stack;
  readonly platform: EcsPlatform;
  readonly ingress: WebIngress;
  readonly webServices: FargateWebService[];
}

/** Where the reference app puts its stacks. */
export interface ReferenceAppOptions {
  /** The account and region of every stack. @default - environment-agnostic */
  readonly env?: Environment;
  /**
   * Where the workloads (services, daemon, batch job) live: 'platform' (one stack with the
   * platform), 'stack' (a second stack) or 'nested' (a NestedStack of the platform stack).
   * @default 'platform'
   */
  readonly workloadsIn?: 'platform' | 'stack' | 'nested';
}

/**
 * The reference app: the reference workload of ARCHITECTURE.md on cdk-ecs-kit. `npx cdk synth` writes its
 * templates to cdk.out; any unacknowledged cdk-nag or CloudFormation-validator finding
 * fails the synth.
 */
export function buildReferenceApp(app: Construct, options: ReferenceAppOptions = {}): ReferenceApp {
  // Environment-agnostic by default: synth needs no AWS credentials and no context lookups.
  const platformStack = new Stack(app, 'EcsKitPlatform', {
    env: options.env,
    description: 'cdk-ecs-kit reference app: shared ECS platform, three web services, an agent daemon and a nightly job',
  });
  const workloads = options.workloadsIn === 'stack' ? new Stack(app, 'EcsKitWorkloads', { env: options.env })
    : options.workloadsIn === 'nested' ? new NestedStack(platformStack, 'Workloads') : platformStack;
  const platform = new EcsPlatform(platformStack, 'Platform', {
    ec2Capacity: { instanceType: new ec2.InstanceType('m7g.large'), minCapacity: 1, maxCapacity: 4 },
  });

  // One shared HTTPS load balancer. Pass your own with -c certificateArn=... -c domain=...
  const domain: string = app.node.tryGetContext('domain') ?? 'example.com';
  const certificate = acm.Certificate.fromCertificateArn(platformStack, 'Certificate',
    app.node.tryGetContext('certificateArn') ?? 'arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000');
  const ingress = new WebIngress(platformStack, 'Ingress', { platform, certificate });

  // Three web services, host-routed, 0.5 vCPU / 1 GiB, 2..10 tasks on CPU 60 % and 500 requests per target.
  const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx-unprivileged:stable');
  // The image's own non-root user (nginx), stated in the task definition as Control Tower expects.
  const user = '101';
  const size = { cpu: 512, memoryMiB: 1024 };
  const autoScaling = { minCapacity: 2, maxCapacity: 10, targetCpuPercent: 60, requestsPerTarget: 500 };

  // {"username": "orders", "password": "<generated>"}; the orders service reads the password key.
  const ordersDb = new secretsmanager.Secret(platformStack, 'OrdersDatabaseSecret', {
    description: 'Database credentials of the orders service',
    encryptionKey: platform.encryptionKey,
    generateSecretString: { secretStringTemplate: JSON.stringify({ username: 'orders' }), generateStringKey: 'password', excludePunctuation: true },
  });
  const rotationReason = 'Reference app without a database: rotation needs a rotation function for the database engine, added with addRotationSchedule next to the database.';
  Validations.of(ordersDb).acknowledge(
    { id: 'AwsSolutions::AwsSolutions-SMG4', reason: rotationReason },
    { id: 'NIST.800.53.R5::NIST.800.53.R5-SecretsManagerRotationEnabled', reason: rotationReason },
    { id: 'HIPAA.Security::HIPAA.Security-SecretsManagerRotationEnabled', reason: rotationReason },
    { id: 'PCI.DSS.321::PCI.DSS.321-SecretsManagerRotationEnabled', reason: rotationReason },
  );

  const web = new FargateWebService(workloads, 'Web', {
    platform, ingress, hostHeaders: [`www.${domain}`], ...size, autoScaling, discoveryName: 'web',
    container: { image, user, port: 8080, healthCheckPath: '/', environment: { API_URL: 'http://api.internal:8080' } },
  });
  const api = new FargateWebService(workloads, 'Api', {
    platform, ingress, hostHeaders: [`api.${domain}`], ...size, autoScaling, discoveryName: 'api',
    container: { image, user, port: 8080, healthCheckPath: '/', environment: { ORDERS_URL: 'http://orders.internal:8080' } },
  });
  const orders = new FargateWebService(workloads, 'Orders', {
    platform, ingress, hostHeaders: [`orders.${domain}`], ...size, autoScaling, discoveryName: 'orders',
    container: {
      image, user, port: 8080, healthCheckPath: '/',
      environment: { DB_USERNAME: 'orders' },
      secrets: { DB_PASSWORD: ecs.Secret.fromSecretsManager(ordersDb, 'password') },
    },
  });
  // East-west: web calls api, api calls orders, through their Cloud Map names.
  api.allowFrom(web);
  orders.allowFrom(api);

  // A log and metrics agent on every EC2 instance, reading the host's logs read-only.
  new Ec2DaemonService(workloads, 'LogAgent', {
    platform,
    container: {
      image: ecs.ContainerImage.fromRegistry('public.ecr.aws/aws-observability/aws-otel-collector:v0.40.0'),
      user: '10001', // the image's non-root user; host networking requires an explicit one
      port: 4317, // OTLP over gRPC, on every instance's address
    },
    networkMode: ecs.NetworkMode.HOST,
    hostVolumes: [{ hostPath: '/var/log', containerPath: '/host/var/log' }],
    memoryReservationMiB: 256,
    memoryLimitMiB: 512, // a hard limit, as Control Tower expects
    discoveryName: 'otel',
  });

  // The nightly batch job: 02:00 UTC, a failed run re-run up to 2 times, each run stopped after 1 h.
  new BatchTaskSchedule(workloads, 'NightlyReport', {
    platform,
    container: {
      image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/node:22-alpine'),
      command: ['node', '-e', "console.log('nightly report done')"],
      user: '1000:1000',
    },
    cpu: 1024,
    memoryMiB: 2048,
    schedule: scheduler.ScheduleExpression.cron({ hour: '2', minute: '0' }),
    retries: 2,
    timeout: Duration.hours(1),
  });

  return { platformStack, platform, ingress, webServices: [web, api, orders] };
}

if (require.main === module) {
  const app = new App();
  const pluginNames = addCompliancePacks(app);
  buildReferenceApp(app);
  app.synth();
  // One line per validation on stderr: `cdk synth` is silent when every one passes.
  ComplianceReport.printSummary(app, { pluginNames });
}
