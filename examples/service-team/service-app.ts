import { App, CfnOutput, Duration, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import { Construct } from 'constructs';
import { BatchTaskSchedule, ComplianceReport, EcsPlatform, FargateWebService, FargateWebServiceProps, IEcsPlatform, IWebIngress, WebIngress } from 'cdk-ecs-kit';

/**
 * The storefront service as the service team declares it. A function of the platform and
 * ingress, so the same service can run on a platform of this app or of another one.
 */
export function storefrontProps(platform: IEcsPlatform, ingress: IWebIngress): FargateWebServiceProps {
  return {
    platform,
    ingress,
    hostHeaders: ['shop.example.com'],
    container: {
      // Listens on 8080 as a non-root user and writes only to /tmp: fits the read-only root file system.
      image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx-unprivileged:stable'),
      user: '101', // the image's own non-root user, stated so Control Tower's CT.ECS.PR.3 can see it
      port: 8080,
      healthCheckPath: '/',
      environment: { LOG_LEVEL: 'info' },
    },
    cpu: 512,
    memoryMiB: 1024,
    autoScaling: { minCapacity: 2, maxCapacity: 10, targetCpuPercent: 60, requestsPerTarget: 500 },
    discoveryName: 'storefront',
  };
}

/**
 * The service team's app, in its own repository: it shares nothing with the platform app but the
 * name 'shop'. It reads the platform and ingress from the SSM parameters the platform app
 * published (at deploy time, so it synthesizes offline) and runs a web service routed by host
 * header and a nightly batch job on them.
 */
export class ShopServiceStack extends Stack {
  public readonly storefront: FargateWebService;
  public readonly nightlyExport: BatchTaskSchedule;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, { description: 'cdk-ecs-kit example: a service app attached to a platform of another app by name', ...props });

    const platform = EcsPlatform.fromPlatformName(this, 'Platform', 'shop');
    const ingress = WebIngress.fromIngressName(this, 'Ingress', 'shop');

    this.storefront = new FargateWebService(this, 'Storefront', storefrontProps(platform, ingress));

    this.nightlyExport = new BatchTaskSchedule(this, 'NightlyExport', {
      platform,
      container: {
        image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/node:22-alpine'),
        command: ['node', '-e', "console.log('export done')"],
        user: '1000:1000',
      },
      schedule: scheduler.ScheduleExpression.cron({ hour: '3', minute: '0' }),
      retries: 2,
      timeout: Duration.minutes(30),
    });

    new CfnOutput(this, 'ServiceName', { value: this.storefront.service.serviceName });
  }
}

if (require.main === module) {
  const app = new App();
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new NIST80053R5Checks(app), new HIPAASecurityChecks(app), new PCIDSS321Checks(app));
  new ShopServiceStack(app, 'ShopService');
  app.synth();
  // One line per pack on stderr: `cdk synth` is silent when every pack passes.
  ComplianceReport.printSummary(app, { pluginNames: ['AwsSolutions', 'NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'] });
}
