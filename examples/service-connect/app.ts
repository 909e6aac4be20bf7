import { App, CfnOutput, Duration, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import { Construct } from 'constructs';
import { ComplianceReport, EcsPlatform, FargateWebService } from 'cdk-ecs-kit';

/**
 * Two internal services on a Service Connect platform: `web` calls `orders` at
 * http://orders:8080 through its Service Connect proxy (retries, outlier detection, a 5 s
 * per-request timeout, per-call metrics and access logs). `orders` also keeps its Cloud Map DNS
 * name orders.internal for clients without a proxy, such as scheduled batch tasks.
 */
export class ServiceConnectStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    const platform = new EcsPlatform(this, 'Platform', { serviceConnect: true });

    // Listens on 8080 as a non-root user and writes only to /tmp: a stand-in for your services.
    const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx-unprivileged:stable');

    const orders = new FargateWebService(this, 'Orders', {
      platform,
      container: { image, user: '101', port: 8080, healthCheckPath: '/' },
      // 0.5 vCPU / 1 GiB: the Service Connect proxy takes 256 CPU units and 64 MiB of it.
      cpu: 512,
      memoryMiB: 1024,
      discoveryName: 'orders',
      serviceConnect: { name: 'orders', timeout: Duration.seconds(5) },
    });

    const web = new FargateWebService(this, 'Web', {
      platform,
      container: {
        image,
        user: '101',
        port: 8080,
        environment: { ORDERS_URL: 'http://orders:8080' },
      },
      cpu: 512,
      memoryMiB: 1024,
    });

    // Service Connect opens no port: the security groups still decide who may call orders.
    orders.allowFrom(web);

    new CfnOutput(this, 'OrdersServiceName', { value: orders.service.serviceName });
    new CfnOutput(this, 'WebServiceName', { value: web.service.serviceName });
  }
}

if (require.main === module) {
  const app = new App();
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new NIST80053R5Checks(app), new HIPAASecurityChecks(app), new PCIDSS321Checks(app));
  new ServiceConnectStack(app, 'ServiceConnectExample');
  app.synth();
  // One line per pack on stderr: `cdk synth` is silent when every pack passes.
  ComplianceReport.printSummary(app, { pluginNames: ['AwsSolutions', 'NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'] });
}
