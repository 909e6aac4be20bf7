import { App, CfnOutput, Duration, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import { Construct } from 'constructs';
import { ComplianceReport, EcsPlatform, FargateWebService, WebDeployment, WebIngress } from 'cdk-ecs-kit';

/** Used when no `-c certificateArn=...` is given: synthesizes, but cannot deploy. */
const PLACEHOLDER_CERTIFICATE_ARN = 'arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000';

/**
 * Progressive delivery on one shared load balancer: an API that ships each new version to 10 %
 * of its traffic for 5 minutes (and, before that, to requests with `x-canary: true`), then to
 * all of it, keeping the old version ready for 10 more minutes; a web front end on the same
 * load balancer that keeps the default rolling deployment.
 */
export class CanaryApiStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    const platform = new EcsPlatform(this, 'Platform');
    const certificate = acm.Certificate.fromCertificateArn(
      this,
      'Certificate',
      this.node.tryGetContext('certificateArn') ?? PLACEHOLDER_CERTIFICATE_ARN,
    );
    const ingress = new WebIngress(this, 'Ingress', { platform, certificate });

    // Deployment alarms (5xx and unhealthy targets of both target groups) notify here and roll back.
    const alarmTopic = new sns.Topic(this, 'Alarms', { masterKey: platform.encryptionKey, enforceSSL: true });
    alarmTopic.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [alarmTopic.topicArn],
      conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
    }));

    const image = ecs.ContainerImage.fromRegistry(this.node.tryGetContext('image') ?? 'public.ecr.aws/nginx/nginx-unprivileged:stable');
    const api = new FargateWebService(this, 'Api', {
      platform,
      ingress,
      hostHeaders: [this.node.tryGetContext('domainName') ?? 'api.example.com'],
      container: { image, user: '101', port: 8080, healthCheckPath: '/' },
      cpu: 512,
      memoryMiB: 1024,
      // Request-count scaling tracks both target groups, so it keeps working after each swap.
      autoScaling: { minCapacity: 2, maxCapacity: 10, targetCpuPercent: 60, requestsPerTarget: 500 },
      alarmTopic,
      deployment: WebDeployment.canary({
        percent: 10,
        stepBakeTime: Duration.minutes(5),
        bakeTime: Duration.minutes(10),
        testHeader: { name: 'x-canary', value: 'true' },
      }),
    });

    // Same load balancer, default rolling deployment.
    new FargateWebService(this, 'Web', {
      platform,
      ingress,
      hostHeaders: ['www.example.com'],
      container: { image, user: '101', port: 8080 },
    });

    new CfnOutput(this, 'LoadBalancerDnsName', { value: ingress.dnsName, description: 'Point the API host name at this name.' });
    new CfnOutput(this, 'ApiServiceName', { value: api.service.serviceName });
  }
}

if (require.main === module) {
  const app = new App();
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new NIST80053R5Checks(app), new HIPAASecurityChecks(app), new PCIDSS321Checks(app));
  new CanaryApiStack(app, 'CanaryApiExample');
  app.synth();
  // One line per pack on stderr: `cdk synth` is silent when every pack passes.
  ComplianceReport.printSummary(app, { pluginNames: ['AwsSolutions', 'NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'] });
}
