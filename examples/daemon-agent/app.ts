import { App, RemovalPolicy, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import { Construct } from 'constructs';
import { ComplianceReport, Ec2DaemonService, EcsPlatform } from 'cdk-ecs-kit';

/** The port OTLP over gRPC is received on, on every instance. */
const OTLP_GRPC_PORT = 4317;
/** The port OTLP over HTTP is received on, on every instance. */
const OTLP_HTTP_PORT = 4318;

/**
 * An OpenTelemetry collector (AWS Distro for OpenTelemetry) on every EC2 instance of the
 * platform: it tails the ECS agent's logs from the instance's /var/log (mounted read-only) and
 * receives OTLP logs from the tasks on the instance (otel.internal, SRV), and ships both to
 * CloudWatch Logs.
 */
export class DaemonAgentStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    const platform = new EcsPlatform(this, 'Platform', {
      ec2Capacity: { instanceType: new ec2.InstanceType('m7g.large'), minCapacity: 1, maxCapacity: 2 },
    });

    // Where the collector ships the instances' log files: encrypted with the platform key, kept a year.
    const hostLogs = new logs.LogGroup(this, 'HostLogs', {
      encryptionKey: platform.encryptionKey,
      retention: platform.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const collector = new Ec2DaemonService(this, 'OtelCollector', {
      platform,
      container: {
        image: ecs.ContainerImage.fromRegistry('public.ecr.aws/aws-observability/aws-otel-collector:v0.40.0'),
        // The image's own non-root user (aoc): host networking requires an explicit user.
        user: '10001',
        port: OTLP_GRPC_PORT,
        environment: { AOT_CONFIG_CONTENT: collectorConfig(hostLogs.logGroupName, Stack.of(this).region) },
        healthCheck: { command: ['CMD', '/healthcheck'] },
      },
      // Host networking: the collector resolves the instance's identity and is reached on the instance's address.
      networkMode: ecs.NetworkMode.HOST,
      additionalPortMappings: [{ containerPort: OTLP_HTTP_PORT }],
      hostVolumes: [{ hostPath: '/var/log', containerPath: '/host/var/log' }],
      memoryReservationMiB: 256,
      memoryLimitMiB: 512,
      discoveryName: 'otel',
    });

    // The collector writes with its task role, never with the instance role.
    hostLogs.grantWrite(collector.taskRole);
  }
}

/** The collector's pipeline: instance log files and OTLP in, CloudWatch out. */
function collectorConfig(logGroupName: string, region: string): string {
  return JSON.stringify({
    extensions: { health_check: {} },
    receivers: {
      filelog: { include: ['/host/var/log/ecs/*.log'], start_at: 'end' },
      otlp: {
        protocols: {
          grpc: { endpoint: `0.0.0.0:${OTLP_GRPC_PORT}` },
          http: { endpoint: `0.0.0.0:${OTLP_HTTP_PORT}` },
        },
      },
    },
    processors: {
      batch: {},
      resourcedetection: { detectors: ['env', 'ec2'] },
    },
    exporters: {
      awscloudwatchlogs: { log_group_name: logGroupName, log_stream_name: 'instance-logs', region },
    },
    service: {
      extensions: ['health_check'],
      pipelines: {
        logs: { receivers: ['filelog', 'otlp'], processors: ['resourcedetection', 'batch'], exporters: ['awscloudwatchlogs'] },
      },
    },
  });
}

if (require.main === module) {
  const app = new App();
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new NIST80053R5Checks(app), new HIPAASecurityChecks(app), new PCIDSS321Checks(app));
  new DaemonAgentStack(app, 'DaemonAgentExample');
  app.synth();
  // One line per pack on stderr: `cdk synth` is silent when every pack passes.
  ComplianceReport.printSummary(app, { pluginNames: ['AwsSolutions', 'NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'] });
}
