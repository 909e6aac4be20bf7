import { App, CfnOutput, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import { Construct } from 'constructs';
import { ComplianceReport, EcsPlatform, WebIngress } from 'cdk-ecs-kit';

/** Used when no `-c certificateArn=...` is given: synthesizes, but cannot deploy. */
const PLACEHOLDER_CERTIFICATE_ARN = 'arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000';

/**
 * The platform team's app: a platform and a shared HTTPS ingress, published under the name
 * 'shop' as SSM parameters (/cdk-ecs-kit/shop/... and /cdk-ecs-kit/ingress/shop/...). Service
 * apps in other repositories attach to it by that name alone (see service-app.ts).
 */
export class ShopPlatformStack extends Stack {
  public readonly platform: EcsPlatform;
  public readonly ingress: WebIngress;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, { description: 'cdk-ecs-kit example: a platform and ingress published for service apps of other teams', ...props });

    this.platform = new EcsPlatform(this, 'Platform', { platformName: 'shop' });

    const certificate = acm.Certificate.fromCertificateArn(
      this,
      'Certificate',
      this.node.tryGetContext('certificateArn') ?? PLACEHOLDER_CERTIFICATE_ARN,
    );
    this.ingress = new WebIngress(this, 'Ingress', { platform: this.platform, certificate, ingressName: 'shop' });

    new CfnOutput(this, 'LoadBalancerDnsName', {
      value: this.ingress.dnsName,
      description: 'Point the host names of the services (CNAME or alias) at this name.',
    });
  }
}

if (require.main === module) {
  const app = new App();
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new NIST80053R5Checks(app), new HIPAASecurityChecks(app), new PCIDSS321Checks(app));
  new ShopPlatformStack(app, 'ShopPlatform');
  app.synth();
  // One line per pack on stderr: `cdk synth` is silent when every pack passes.
  ComplianceReport.printSummary(app, { pluginNames: ['AwsSolutions', 'NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'] });
}
