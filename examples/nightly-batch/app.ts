#!/usr/bin/env node
import { App, Duration, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import { Construct } from 'constructs';
import { BatchTaskSchedule, ComplianceReport, EcsPlatform } from 'cdk-ecs-kit';

/**
 * A nightly batch job on Fargate: every night at 02:00 UTC the report container runs once; a run
 * that fails (non-zero exit, failed start, Spot interruption) is re-run up to 2 times with backoff,
 * a run that takes longer than 1 hour is stopped, and failures are published to an encrypted SNS
 * topic and raise a CloudWatch alarm.
 */
export class NightlyBatchStack extends Stack {
  public readonly job: BatchTaskSchedule;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, { description: 'cdk-ecs-kit example: nightly batch job with retries, timeout and failure alerts', ...props });

    const platform = new EcsPlatform(this, 'Platform');

    this.job = new BatchTaskSchedule(this, 'NightlyReport', {
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
  }
}

if (require.main === module) {
  const app = new App();
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new NIST80053R5Checks(app), new HIPAASecurityChecks(app), new PCIDSS321Checks(app));
  new NightlyBatchStack(app, 'NightlyBatchExample');
  app.synth();
  // One line per pack on stderr: `cdk synth` is silent when every pack passes.
  ComplianceReport.printSummary(app, { pluginNames: ['AwsSolutions', 'NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'] });
}
