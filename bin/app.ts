#!/usr/bin/env node
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { BatchTaskSchedule, Ec2DaemonService, EcsPlatform } from '../lib';
import { addCompliancePacks } from './compliance';

/** The stacks of the reference app. */
export interface ReferenceApp {
  readonly platformStack: Stack;
  readonly platform: EcsPlatform;
}

/**
 * The reference app: the workload of DESIGN.md on cdk-ecs-kit. `npx cdk synth` writes its
 * templates to cdk.out; any unacknowledged cdk-nag or CloudFormation-validator finding
 * fails the synth.
 */
export function buildReferenceApp(app: App): ReferenceApp {
  // Environment-agnostic: synth needs no AWS credentials and no context lookups.
  const platformStack = new Stack(app, 'EcsKitPlatform', { description: 'cdk-ecs-kit reference app: shared ECS platform, agent daemon and nightly job' });
  const platform = new EcsPlatform(platformStack, 'Platform', {
    ec2Capacity: { instanceType: new ec2.InstanceType('m7g.large'), minCapacity: 1, maxCapacity: 4 },
  });

  // A log and metrics agent on every EC2 instance, reading the host's logs read-only.
  new Ec2DaemonService(platformStack, 'LogAgent', {
    platform,
    container: {
      image: ecs.ContainerImage.fromRegistry('public.ecr.aws/aws-observability/aws-otel-collector:v0.40.0'),
      user: '10001', // the image's non-root user; host networking requires an explicit one
      port: 4317, // OTLP over gRPC, on every instance's address
    },
    networkMode: ecs.NetworkMode.HOST,
    hostVolumes: [{ hostPath: '/var/log', containerPath: '/host/var/log' }],
    memoryReservationMiB: 256,
    discoveryName: 'otel',
  });

  // The nightly batch job: 02:00 UTC, a failed run re-run up to 2 times, each run stopped after 1 h.
  new BatchTaskSchedule(platformStack, 'NightlyReport', {
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

  return { platformStack, platform };
}

if (require.main === module) {
  const app = new App();
  addCompliancePacks(app);
  buildReferenceApp(app);
}
