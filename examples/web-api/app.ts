import { App, CfnOutput, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import { Construct } from 'constructs';
import { ComplianceReport, EcsPlatform, FargateWebService, WebIngress } from 'cdk-ecs-kit';

/** Used when no `-c certificateArn=...` is given: synthesizes, but cannot deploy. */
const PLACEHOLDER_CERTIFICATE_ARN = 'arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000';

/**
 * One web API behind HTTPS: a shared ingress (ALB with a WAF web ACL and access logs), and a
 * Fargate service that reads its database password from a Secrets Manager JSON key, scales on
 * CPU and on requests per task, and is reachable inside the VPC as api.internal.
 */
export class WebApiStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    const platform = new EcsPlatform(this, 'Platform');

    const certificate = acm.Certificate.fromCertificateArn(
      this,
      'Certificate',
      this.node.tryGetContext('certificateArn') ?? PLACEHOLDER_CERTIFICATE_ARN,
    );
    const ingress = new WebIngress(this, 'Ingress', { platform, certificate });

    // A JSON secret: {"username": "api", "password": "<generated>"}, encrypted with the platform key.
    const databaseSecret = new secretsmanager.Secret(this, 'DatabaseSecret', {
      description: 'Database credentials of the web API',
      encryptionKey: platform.encryptionKey,
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ username: 'api' }),
        generateStringKey: 'password',
        excludePunctuation: true,
      },
    });
    const rotationReason = 'Example secret without a database: rotation needs a rotation function for the database engine (secretsmanager.HostedRotation), which a real app adds with addRotationSchedule.';
    Validations.of(databaseSecret).acknowledge(
      { id: 'AwsSolutions::AwsSolutions-SMG4', reason: rotationReason },
      { id: 'NIST.800.53.R5::NIST.800.53.R5-SecretsManagerRotationEnabled', reason: rotationReason },
      { id: 'HIPAA.Security::HIPAA.Security-SecretsManagerRotationEnabled', reason: rotationReason },
      { id: 'PCI.DSS.321::PCI.DSS.321-SecretsManagerRotationEnabled', reason: rotationReason },
    );

    const api = new FargateWebService(this, 'Api', {
      platform,
      ingress,
      hostHeaders: [this.node.tryGetContext('domainName') ?? 'api.example.com'],
      container: {
        // Listens on 8080 as a non-root user and writes only to /tmp: fits the read-only root file system.
        image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx-unprivileged:stable'),
        user: '101', // the image's own non-root user (nginx), stated as Control Tower expects
        port: 8080,
        healthCheckPath: '/',
        environment: { LOG_LEVEL: 'info', DB_USERNAME: 'api' },
        // Only the JSON key 'password' is injected, through ECS secrets, never as plain text.
        secrets: { DB_PASSWORD: ecs.Secret.fromSecretsManager(databaseSecret, 'password') },
      },
      cpu: 512,
      memoryMiB: 1024,
      autoScaling: { minCapacity: 2, maxCapacity: 10, targetCpuPercent: 60, requestsPerTarget: 500 },
      discoveryName: 'api',
    });

    new CfnOutput(this, 'LoadBalancerDnsName', {
      value: ingress.dnsName,
      description: 'Point the API host name (CNAME or alias) at this name.',
    });
    new CfnOutput(this, 'ServiceName', { value: api.service.serviceName });
  }
}

if (require.main === module) {
  const app = new App();
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new NIST80053R5Checks(app), new HIPAASecurityChecks(app), new PCIDSS321Checks(app));
  new WebApiStack(app, 'WebApiExample');
  app.synth();
  // One line per pack on stderr: `cdk synth` is silent when every pack passes.
  ComplianceReport.printSummary(app, { pluginNames: ['AwsSolutions', 'NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'] });
}
