import { App, CfnOutput, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import { Construct } from 'constructs';
import { ComplianceReport, EcsPlatform, FargateWebService, WebIngress } from 'cdk-ecs-kit';

/** Used when no `-c certificateArn=...` is given: synthesizes, but cannot deploy. */
const PLACEHOLDER_CERTIFICATE_ARN = 'arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000';

/** Listens on 8080 as a non-root user and writes only to /tmp: fits the read-only root file system. */
const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx-unprivileged:stable');
/** The image's own non-root user (nginx), stated in the task definition as Control Tower expects. */
const user = '101';

/**
 * Three services behind one shared ingress, routed by host header: a web front end, an API and
 * an orders service. They find each other through Cloud Map names (api.internal,
 * orders.internal) and talk directly, east-west, only where `allowFrom` opens the way:
 * web -> api -> orders.
 */
export class MicroservicesStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    const platform = new EcsPlatform(this, 'Platform');
    const domain = this.node.tryGetContext('domain') ?? 'example.com';
    // One certificate for all three host names, e.g. a wildcard certificate for *.example.com.
    const certificate = acm.Certificate.fromCertificateArn(
      this,
      'Certificate',
      this.node.tryGetContext('certificateArn') ?? PLACEHOLDER_CERTIFICATE_ARN,
    );
    const ingress = new WebIngress(this, 'Ingress', { platform, certificate });

    const scaling = { minCapacity: 2, maxCapacity: 10, targetCpuPercent: 60, requestsPerTarget: 500 };

    const web = new FargateWebService(this, 'Web', {
      platform,
      ingress,
      hostHeaders: [`www.${domain}`, domain],
      container: { image, user, port: 8080, environment: { API_URL: 'http://api.internal:8080' } },
      autoScaling: scaling,
      discoveryName: 'web',
    });

    const api = new FargateWebService(this, 'Api', {
      platform,
      ingress,
      hostHeaders: [`api.${domain}`],
      container: { image, user, port: 8080, environment: { ORDERS_URL: 'http://orders.internal:8080' } },
      cpu: 512,
      memoryMiB: 1024,
      autoScaling: scaling,
      discoveryName: 'api',
    });

    const orders = new FargateWebService(this, 'Orders', {
      platform,
      ingress,
      hostHeaders: [`orders.${domain}`],
      container: { image, user, port: 8080 },
      autoScaling: { ...scaling, targetMemoryPercent: 70 },
      discoveryName: 'orders',
      // Three in four of the tasks beyond the first run on Fargate Spot, about 70 % cheaper.
      fargateSpotWeight: 3,
    });

    // East-west: the front end may call the API, and the API may call orders; nothing else.
    api.allowFrom(web);
    orders.allowFrom(api);

    new CfnOutput(this, 'LoadBalancerDnsName', {
      value: ingress.dnsName,
      description: `Point www.${domain}, ${domain}, api.${domain} and orders.${domain} (alias or CNAME) at this name.`,
    });
  }
}

if (require.main === module) {
  const app = new App();
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new NIST80053R5Checks(app), new HIPAASecurityChecks(app), new PCIDSS321Checks(app));
  new MicroservicesStack(app, 'MicroservicesExample');
  app.synth();
  // One line per pack on stderr: `cdk synth` is silent when every pack passes.
  ComplianceReport.printSummary(app, { pluginNames: ['AwsSolutions', 'NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'] });
}
