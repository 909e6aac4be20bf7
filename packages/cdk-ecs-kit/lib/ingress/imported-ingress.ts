import { Fn } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct, IConstruct } from 'constructs';
import type { IWebIngress, WebIngress, WebIngressAttributes, WebRoute } from './web-ingress';
import { RouteTable } from './routes';
import { checkDnsLabel } from '../core/validation';

/** Where an ingress published with `ingressName` keeps its parameters. */
export function ingressParameterPrefix(ingressName: string): string {
  return `/cdk-ecs-kit/ingress/${ingressName}`;
}

const PARAMETER = { listenerArn: 'listener-arn', securityGroupId: 'security-group-id' } as const;

/** Publishes the listener ARN and load balancer security group of `ingress` as SSM parameters. */
export function publishIngress(ingress: WebIngress, ingressName: string): void {
  const scope = new Construct(ingress, 'Published');
  const prefix = ingressParameterPrefix(ingressName);
  const values: Array<[string, string]> = [
    [PARAMETER.listenerArn, ingress.listener.listenerArn],
    [PARAMETER.securityGroupId, ingress.securityGroup.securityGroupId],
  ];
  for (const [name, value] of values) {
    new ssm.StringParameter(scope, name, {
      parameterName: `${prefix}/${name}`,
      // The name starts with '/'; said explicitly so a deploy-time ingressName works too.
      simpleName: false,
      stringValue: value,
      description: `cdk-ecs-kit ingress ${ingressName}: ${name} (read by service apps with WebIngress.fromIngressName)`,
    });
  }
}

/**
 * An ingress deployed by another app. Each service opens its own security group to the load
 * balancer (an ingress rule on the service's group and an egress rule on the load balancer's,
 * both unique to the service, so two service apps never create the same rule).
 */
export class ImportedWebIngress extends Construct implements IWebIngress {
  /** Reads an ingress published with `ingressName` from its SSM parameters at deploy time. */
  public static fromParameters(scope: Construct, id: string, ingressName: string): IWebIngress {
    const lookup = new Construct(scope, id);
    checkDnsLabel(lookup, 'ingressName', ingressName);
    const prefix = ingressParameterPrefix(ingressName);
    const read = (name: string) => ssm.StringParameter.valueForStringParameter(lookup, `${prefix}/${name}`);
    return new ImportedWebIngress(lookup, 'Ingress', { listenerArn: read(PARAMETER.listenerArn), securityGroupId: read(PARAMETER.securityGroupId) });
  }

  public readonly listener: elbv2.IApplicationListener;
  public readonly loadBalancerFullName: string;
  public readonly imported = true;
  private readonly loadBalancerSecurityGroup: ec2.ISecurityGroup;
  private readonly routes = new RouteTable();

  constructor(scope: Construct, id: string, attrs: WebIngressAttributes) {
    super(scope, id);
    // Mutable and without egress: the load balancer may send only to the services attached to it.
    this.loadBalancerSecurityGroup = ec2.SecurityGroup.fromSecurityGroupId(this, 'SecurityGroup', attrs.securityGroupId, { allowAllOutbound: false });
    this.listener = elbv2.ApplicationListener.fromApplicationListenerAttributes(this, 'Listener', {
      listenerArn: attrs.listenerArn,
      securityGroup: this.loadBalancerSecurityGroup,
    });
    // arn:PARTITION:elasticloadbalancing:REGION:ACCOUNT:listener/app/NAME/LB-ID/LISTENER-ID -> app/NAME/LB-ID
    const parts = Fn.split('/', Fn.select(5, Fn.split(':', attrs.listenerArn)), 5);
    this.loadBalancerFullName = Fn.join('/', [parts[1], parts[2], parts[3]]);
  }

  public claimRoute(service: IConstruct, route: WebRoute): number {
    return this.routes.claim(service, { hostHeaders: route.hostHeaders ?? [], pathPatterns: route.pathPatterns ?? [], priority: route.priority, httpHeader: route.httpHeader });
  }

  public connectTargets(_service: IConstruct, serviceSecurityGroup: ec2.ISecurityGroup, port: number): ec2.ISecurityGroup[] {
    serviceSecurityGroup.connections.allowFrom(this.loadBalancerSecurityGroup, ec2.Port.tcp(port), `Load balancer to ${_service.node.path} on ${port}`);
    return [];
  }
}
