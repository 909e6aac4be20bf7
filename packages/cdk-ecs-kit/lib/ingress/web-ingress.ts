import { ArnFormat, Aws, Duration, Fn, Names, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct, IConstruct } from 'constructs';
import { acknowledgeGuardRule, acknowledgeLogRetentionOptOut, acknowledgePlatformKeyElsewhere, acknowledgeRule, COMPLIANCE_PACKS, NagPack } from '../core/compliance';
import { ImportedWebIngress, publishIngress } from './imported-ingress';
import { RouteTable } from './routes';
import { checkDefaultTaskSubnetsExist, defaultTaskSubnets, hasVpcCidrBlock } from '../core/subnets';
import { checkIpv4Cidrs } from './web-checks';
import { checkDnsLabel, checkDurationSeconds, fail, isDeployTimeValue } from '../core/validation';
import type { IEcsPlatform } from '../platform/ecs-platform';
import { checkSameEnvironment } from '../core/validation';

/**
 * An HTTP header a listener rule matches: requests carrying header `name` with `value`.
 */
export interface HttpHeaderMatch {
  /** The header name, e.g. 'x-canary': 1-40 characters of an HTTP token (letters, digits, !#$%&'*+.^_`|~-). */
  readonly name: string;

  /** The value to match, 1-128 characters; ALB allows the wildcards '*' and '?'. */
  readonly value: string;
}

/**
 * A route a service asks an ingress for: the listener rule's conditions and priority.
 */
export interface WebRoute {
  /**
   * Host-header values of the rule.
   *
   * @default - any host
   */
  readonly hostHeaders?: string[];

  /**
   * Path-pattern values of the rule.
   *
   * @default - any path
   */
  readonly pathPatterns?: string[];

  /**
   * The rule's priority.
   *
   * @default - derived from the service's construct path (1000-49999), or 50000 for a route
   * without host or path condition
   */
  readonly priority?: number;

  /**
   * An http-header condition of the rule, on top of the host and path conditions (a test rule
   * of a traffic-shifting deployment).
   *
   * @default - no header condition
   */
  readonly httpHeader?: HttpHeaderMatch;
}

/**
 * What a web service needs from the shared load balancer: a `WebIngress` of the same app, or
 * one imported from another app with `WebIngress.fromAttributes` or `WebIngress.fromIngressName`.
 */
export interface IWebIngress extends IConstruct {
  /** The listener services add their rules to (HTTPS, or HTTP on a plain-HTTP ingress). */
  readonly listener: elbv2.IApplicationListener;

  /** The load balancer's full name (app/NAME/ID), the dimension of its CloudWatch metrics. */
  readonly loadBalancerFullName: string;

  /** Whether the ingress was imported from another app (its other services are not visible). */
  readonly imported: boolean;

  /**
   * Claims a listener rule for `service` and returns its priority. A priority or condition set
   * another service on this ingress object holds is a synth error naming both.
   */
  claimRoute(service: IConstruct, route: WebRoute): number;

  /**
   * Lets the load balancer reach the tasks of `service` (security group `serviceSecurityGroup`)
   * on `port`, and returns further security groups the tasks must carry.
   */
  connectTargets(service: IConstruct, serviceSecurityGroup: ec2.ISecurityGroup, port: number): ec2.ISecurityGroup[];
}

/**
 * The attributes of a WebIngress deployed by another app.
 */
export interface WebIngressAttributes {
  /** The ARN of the listener services add their rules to (the HTTPS listener). */
  readonly listenerArn: string;

  /** The id of the load balancer's security group. */
  readonly securityGroupId: string;
}

/**
 * Properties of a WebIngress.
 */
export interface WebIngressProps {
  /** The platform whose VPC the load balancer runs in. */
  readonly platform: IEcsPlatform;

  /**
   * The ACM certificate of the HTTPS listener on port 443. Port 80 then only redirects to
   * HTTPS. Add more certificates (one per domain) with `httpsListener.addCertificates`.
   *
   * @default - none: an error unless `allowPlainHttp` is true
   */
  readonly certificate?: acm.ICertificate;

  /**
   * Serve plain HTTP on port 80 without a certificate. Traffic is then unencrypted between
   * clients and the load balancer, and the compliance findings this causes are acknowledged
   * with this explicit choice as the reason.
   *
   * @default false - an ingress without a certificate is a synth error
   */
  readonly allowPlainHttp?: boolean;

  /**
   * Whether the load balancer is reachable from the internet (public subnets) or only from
   * inside the VPC (private subnets).
   *
   * @default true
   */
  readonly internetFacing?: boolean;

  /**
   * The IPv4 CIDR ranges the load balancer accepts ports 80 and 443 from.
   *
   * @default - ['0.0.0.0/0'] for an internet-facing ingress, the VPC's CIDR range for an
   * internal one
   */
  readonly allowedCidrs?: string[];

  /**
   * The TLS policy of the HTTPS listener.
   *
   * @default elbv2.SslPolicy.TLS13_12_RES_PQ - TLS 1.3 and 1.2 with forward-secret AEAD ciphers
   * only and post-quantum key exchange (aws-cdk-lib's default also keeps CBC ciphers); pass
   * `SslPolicy.TLS13_12_PQ` for TLS 1.2 clients that need them
   */
  readonly sslPolicy?: elbv2.SslPolicy;

  /**
   * An existing S3 bucket for the load balancer's access logs. It must use SSE-S3 encryption
   * (ALB cannot write to SSE-KMS buckets) and allow Elastic Load Balancing to write to
   * `accessLogsPrefix`.
   *
   * @default - a new bucket: SSE-S3, SSL only, public access blocked, versioned (deleted logs
   * recoverable for 30 days), objects expire after `accessLogsRetention`, retained on stack
   * deletion
   */
  readonly accessLogsBucket?: s3.IBucket;

  /**
   * The key prefix of the access logs in the bucket, without a trailing '/'.
   *
   * @default 'alb'
   */
  readonly accessLogsPrefix?: string;

  /**
   * How long the bucket this construct creates keeps access logs. Ignored with `accessLogsBucket`.
   *
   * @default Duration.days(365) - the audit-trail minimum of PCI DSS 10.7, like the platform's
   * log groups
   */
  readonly accessLogsRetention?: Duration;

  /**
   * The ARN of an existing regional WAFv2 web ACL to associate with the load balancer. No
   * managed web ACL is created then.
   *
   * @default - a managed-rules web ACL for an internet-facing ingress (see `managedWebAcl`)
   */
  readonly webAclArn?: string;

  /**
   * Whether an internet-facing ingress gets a web ACL with the AWS managed rule groups Core rule
   * set, Known bad inputs and Amazon IP reputation list (about 8 USD a month plus 0.60 USD per
   * million requests). Ignored when `webAclArn` is given.
   *
   * @default - true for an internet-facing ingress, false for an internal one
   */
  readonly managedWebAcl?: boolean;

  /**
   * Whether the load balancer is protected from deletion. Set it to false before destroying
   * the stack.
   *
   * @default true - deleting the shared entry point takes every service offline
   */
  readonly deletionProtection?: boolean;

  /**
   * How long a client connection may stay idle.
   *
   * @default Duration.seconds(60)
   */
  readonly idleTimeout?: Duration;

  /**
   * A name under which the ingress publishes what service apps need to route through it (the
   * listener ARN and the load balancer's security group) as SSM parameters under
   * `/cdk-ecs-kit/ingress/NAME/`. A service app in another CDK app then calls
   * `WebIngress.fromIngressName(this, 'Ingress', NAME)`. A DNS label (e.g. 'shop').
   *
   * @default - nothing is published; import with `WebIngress.fromAttributes`
   */
  readonly ingressName?: string;
}

/**
 * One shared Application Load Balancer that many web services attach to by host header and
 * path: HTTPS on 443 (HTTP on 80 only redirects), a fixed 404 for unmatched requests, access
 * logs to S3, deletion protection and, when internet-facing, a managed-rules WAF web ACL.
 */
export class WebIngress extends Construct implements ec2.IConnectable, IWebIngress {
  /**
   * An ingress deployed by another app, from its listener and security group. Services route
   * through it like through an ingress of this app; rule priorities of the other app's services
   * cannot be seen here, so give services explicit `priority` values agreed between the apps
   * when derived ones might collide.
   */
  public static fromAttributes(scope: Construct, id: string, attrs: WebIngressAttributes): IWebIngress {
    return new ImportedWebIngress(scope, id, attrs);
  }

  /**
   * An ingress another app deployed with `ingressName: NAME`, read from the SSM parameters it
   * published. The values are resolved at deploy time: synth needs no AWS access.
   */
  public static fromIngressName(scope: Construct, id: string, ingressName: string): IWebIngress {
    return ImportedWebIngress.fromParameters(scope, id, ingressName);
  }

  /** The platform the ingress belongs to. */
  public readonly platform: IEcsPlatform;

  /** The Application Load Balancer. */
  public readonly loadBalancer: elbv2.ApplicationLoadBalancer;

  /**
   * The HTTPS listener on port 443.
   *
   * @default - undefined for a plain-HTTP ingress (`allowPlainHttp`)
   */
  public readonly httpsListener?: elbv2.ApplicationListener;

  /** The HTTP listener on port 80: redirects to HTTPS, or serves routes on a plain-HTTP ingress. */
  public readonly httpListener: elbv2.ApplicationListener;

  /** The listener services add their rules to: `httpsListener`, or `httpListener` for plain HTTP. */
  public readonly listener: elbv2.IApplicationListener;

  /** The load balancer's security group: accepts 80/443 from `allowedCidrs`, sends only to attached services. */
  public readonly securityGroup: ec2.SecurityGroup;

  /**
   * The security group every attached service's tasks also get: it accepts only the load
   * balancer, only on the attached services' container ports, and is the only destination the
   * load balancer may send to.
   */
  public readonly targetSecurityGroup: ec2.SecurityGroup;

  /** The connections of the load balancer (its security group), default port 443 (80 for plain HTTP). */
  public readonly connections: ec2.Connections;

  /** The DNS name of the load balancer; point an alias record at it. */
  public readonly dnsName: string;

  /** The bucket access logs go to. */
  public readonly accessLogsBucket: s3.IBucket;

  /**
   * The managed-rules web ACL this construct created.
   *
   * @default - undefined when `webAclArn` was given or `managedWebAcl` is false
   */
  public readonly webAcl?: wafv2.CfnWebACL;

  /**
   * The ARN of the web ACL associated with the load balancer.
   *
   * @default - undefined when no web ACL is associated
   */
  public readonly webAclArn?: string;

  /**
   * The log group of the managed web ACL: requests it blocked or counted.
   *
   * @default - undefined without a managed web ACL
   */
  public readonly webAclLogGroup?: logs.LogGroup;

  /** Whether the load balancer is internet-facing. */
  public readonly internetFacing: boolean;

  /** The load balancer's full name (app/NAME/ID). */
  public readonly loadBalancerFullName: string;

  /** Always false: this ingress is defined in this app. */
  public readonly imported = false;

  private readonly routes = new RouteTable();

  constructor(scope: Construct, id: string, props: WebIngressProps) {
    super(scope, id);
    this.platform = props.platform;
    checkSameEnvironment(this, 'platform', props.platform, 'EcsPlatform.fromAttributes(...) or EcsPlatform.fromPlatformName(...)');
    this.internetFacing = props.internetFacing ?? true;
    const plainHttp = props.allowPlainHttp ?? false;
    const vpc = props.platform.vpc;

    if (!props.certificate && !plainHttp) {
      fail(
        this,
        'certificate',
        `is required: an ${this.internetFacing ? 'internet-facing' : 'internal'} ingress without a certificate would serve unencrypted HTTP.`,
        'Pass an ACM certificate (acm.Certificate or acm.Certificate.fromCertificateArn), or set allowPlainHttp: true to serve plain HTTP on purpose.',
      );
    }
    if (props.certificate && plainHttp) {
      fail(this, 'allowPlainHttp', 'cannot be combined with certificate: with a certificate, port 80 only redirects to HTTPS.', 'Remove allowPlainHttp, or remove certificate.');
    }
    if (props.webAclArn !== undefined && props.managedWebAcl === true) {
      fail(this, 'managedWebAcl', 'cannot be true together with webAclArn: a load balancer has one web ACL.', 'Remove managedWebAcl to use your web ACL, or remove webAclArn.');
    }
    checkDnsLabel(this, 'ingressName', props.ingressName);
    this.checkVpc(vpc, props.allowedCidrs);
    const allowedCidrs = props.allowedCidrs ?? (this.internetFacing ? ['0.0.0.0/0'] : [vpc.vpcCidrBlock]);
    checkIpv4Cidrs(this, 'allowedCidrs', allowedCidrs);
    checkDurationSeconds(this, 'idleTimeout', props.idleTimeout, 1, 4000);

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc,
      description: `Load balancer of ${this.node.path}`,
      // Egress only to targetSecurityGroup, on the ports attached services register.
      allowAllOutbound: false,
    });
    const listenerPorts = plainHttp ? [80] : [80, 443];
    for (const cidr of allowedCidrs) {
      for (const port of listenerPorts) {
        this.securityGroup.addIngressRule(ec2.Peer.ipv4(cidr), ec2.Port.tcp(port), `${port === 443 ? 'HTTPS' : 'HTTP'} from ${cidr}`);
      }
    }
    if (props.allowedCidrs === undefined && !this.internetFacing) {
      // The nag rules cannot resolve the VPC's CIDR block at synth and report it as possibly open.
      const reason = "The only allowed range is the VPC's own CIDR block, a deploy-time value the rule cannot resolve at synth; it is not 0.0.0.0/0, and only ports 80 and 443 are open.";
      acknowledgeRule(this.securityGroup, 'EC23', reason, [NagPack.AWS_SOLUTIONS]);
      acknowledgeRule(this.securityGroup, 'EC2RestrictedCommonPorts', reason, COMPLIANCE_PACKS);
      acknowledgeRule(this.securityGroup, 'EC2RestrictedSSH', reason, COMPLIANCE_PACKS);
    }
    if (allowedCidrs.includes('0.0.0.0/0')) {
      const reason = plainHttp
        ? 'The load balancer is a public entry point serving plain HTTP on port 80 only, as chosen explicitly with allowPlainHttp: true.'
        : 'The load balancer is a public entry point: it accepts only 80 (redirect to HTTPS) and 443 from anywhere, behind a WAF web ACL by default.';
      acknowledgeRule(this.securityGroup, 'EC23', reason, [NagPack.AWS_SOLUTIONS]);
    }
    this.connections = new ec2.Connections({ securityGroups: [this.securityGroup], defaultPort: ec2.Port.tcp(plainHttp ? 80 : 443) });
    // One group for all targets, instead of an egress rule per service: the load balancer may
    // send only to members of this group, on the ports services registered (_allowTargetPort).
    this.targetSecurityGroup = new ec2.SecurityGroup(this, 'TargetSecurityGroup', {
      vpc,
      description: `Tasks of the services behind ${this.node.path}: accepts their ports from the load balancer only`,
      allowAllOutbound: false,
    });

    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc,
      internetFacing: this.internetFacing,
      vpcSubnets: this.internetFacing ? { subnetType: ec2.SubnetType.PUBLIC } : defaultTaskSubnets(vpc),
      securityGroup: this.securityGroup,
      deletionProtection: props.deletionProtection ?? true,
      dropInvalidHeaderFields: true,
      desyncMitigationMode: elbv2.DesyncMitigationMode.DEFENSIVE,
      idleTimeout: props.idleTimeout,
    });
    if (props.deletionProtection === false) {
      acknowledgeRule(this.loadBalancer, 'ELBDeletionProtectionEnabled', 'Deletion protection was turned off explicitly with deletionProtection: false.', COMPLIANCE_PACKS);
      acknowledgeGuardRule(this.loadBalancer, 'elbv2_deletion_protection_enabled_check', 'Deletion protection was turned off explicitly with deletionProtection: false.');
    }
    this.dnsName = this.loadBalancer.loadBalancerDnsName;
    this.loadBalancerFullName = this.loadBalancer.loadBalancerFullName;

    const notFound = elbv2.ListenerAction.fixedResponse(404, { contentType: 'text/plain', messageBody: 'Not Found' });
    if (props.certificate) {
      this.httpsListener = this.loadBalancer.addListener('HttpsListener', {
        protocol: elbv2.ApplicationProtocol.HTTPS,
        port: 443,
        certificates: [elbv2.ListenerCertificate.fromCertificateManager(props.certificate)],
        sslPolicy: props.sslPolicy ?? elbv2.SslPolicy.TLS13_12_RES_PQ,
        defaultAction: notFound,
        // The security group rules above already decide who may connect.
        open: false,
      });
      this.httpListener = this.loadBalancer.addListener('HttpListener', {
        protocol: elbv2.ApplicationProtocol.HTTP,
        port: 80,
        defaultAction: elbv2.ListenerAction.redirect({ protocol: 'HTTPS', port: '443', permanent: true }),
        open: false,
      });
      acknowledgeRule(
        this.httpListener,
        'ELBv2ACMCertificateRequired',
        'This port-80 listener only answers with a permanent redirect to the HTTPS listener, which uses the ACM certificate; it serves no content.',
        COMPLIANCE_PACKS,
      );
      this.listener = this.httpsListener;
    } else {
      this.httpListener = this.loadBalancer.addListener('HttpListener', {
        protocol: elbv2.ApplicationProtocol.HTTP,
        port: 80,
        defaultAction: notFound,
        open: false,
      });
      const reason = 'Plain HTTP without a certificate was chosen explicitly with allowPlainHttp: true.';
      acknowledgeRule(this.httpListener, 'ELBv2ACMCertificateRequired', reason, COMPLIANCE_PACKS);
      acknowledgeRule(this.httpListener, 'ALBHttpToHttpsRedirection', reason, COMPLIANCE_PACKS);
      acknowledgeGuardRule(this.httpListener, 'alb_http_to_https_redirection_check', reason);
      this.listener = this.httpListener;
    }

    this.accessLogsBucket = props.accessLogsBucket ?? this.createAccessLogsBucket(props.accessLogsRetention ?? Duration.days(365));
    this.logAccessLogs(this.accessLogsBucket, props.accessLogsPrefix ?? 'alb');

    const managedWebAcl = props.webAclArn === undefined && (props.managedWebAcl ?? this.internetFacing);
    if (managedWebAcl) {
      this.webAcl = this.createManagedWebAcl();
      this.webAclArn = this.webAcl.attrArn;
      this.webAclLogGroup = this.logBlockedRequests(this.webAcl);
    } else {
      this.webAclArn = props.webAclArn;
    }
    if (this.webAclArn !== undefined) {
      // WAFv2 has no L2 in aws-cdk-lib: the association is an L1.
      new wafv2.CfnWebACLAssociation(this, 'WebAclAssociation', {
        resourceArn: this.loadBalancer.loadBalancerArn,
        webAclArn: this.webAclArn,
      });
    } else {
      const reason = this.internetFacing
        ? 'The managed web ACL was turned off explicitly with managedWebAcl: false and no webAclArn was given.'
        : 'The load balancer is internal: it is reachable only from inside the VPC, and no webAclArn was given.';
      acknowledgeRule(this.loadBalancer, 'ALBWAFEnabled', reason, [NagPack.NIST_800_53_R5, NagPack.PCI_DSS_321]);
    }
    if (props.ingressName !== undefined) publishIngress(this, props.ingressName);
  }

  /** What the load balancer needs of the platform's VPC, checked before aws-cdk-lib reads it. */
  private checkVpc(vpc: ec2.IVpc, allowedCidrs: string[] | undefined): void {
    if (this.internetFacing) {
      if (vpc.publicSubnets.length === 0) {
        fail(
          this,
          'internetFacing',
          `an internet-facing load balancer runs in public subnets, and the VPC ${vpc.node.path} has none (imported without publicSubnetIds?).`,
          'Pass publicSubnetIds to ec2.Vpc.fromVpcAttributes, or set internetFacing: false.',
        );
      }
      return;
    }
    checkDefaultTaskSubnetsExist(this, 'internetFacing', vpc, 'an internal load balancer runs in', 'Pass privateSubnetIds to ec2.Vpc.fromVpcAttributes, or leave internetFacing at true for public subnets.');
    if (allowedCidrs === undefined && !hasVpcCidrBlock(vpc)) {
      fail(
        this,
        'allowedCidrs',
        `defaults to the VPC's CIDR range for an internal ingress, and the VPC ${vpc.node.path} was imported without vpcCidrBlock.`,
        "Pass vpcCidrBlock to ec2.Vpc.fromVpcAttributes, or give allowedCidrs (e.g. ['10.0.0.0/16']).",
      );
    }
  }

  public claimRoute(service: IConstruct, route: WebRoute): number {
    return this.routes.claim(service, { hostHeaders: route.hostHeaders ?? [], pathPatterns: route.pathPatterns ?? [], priority: route.priority, httpHeader: route.httpHeader });
  }

  public connectTargets(service: IConstruct, _serviceSecurityGroup: ec2.ISecurityGroup, port: number): ec2.ISecurityGroup[] {
    this._allowTargetPort(port, service);
    return [this.targetSecurityGroup];
  }

  /**
   * Lets the load balancer reach its targets on `port`: an egress rule from the load balancer's
   * group and an ingress rule on `targetSecurityGroup`, once per distinct port, in this
   * construct's stack (they reference only this stack's groups, so services in other stacks
   * create no cycle). A port only known at deploy time gets rules of its own per `service`.
   *
   * @internal
   */
  public _allowTargetPort(port: number, service?: IConstruct): void {
    if (!isDeployTimeValue(port)) {
      this.connections.allowTo(this.targetSecurityGroup, ec2.Port.tcp(port), `Load balancer to services on port ${port}`);
      return;
    }
    // A token port is '{IndirectPort}' in aws-cdk-lib's rule ids, so a second service's deploy-time
    // port would reuse the first one's id and get no rule: the rules are named after the service.
    const owner = service?.node.path ?? 'a service';
    const targetPort = new ec2.Port({ protocol: ec2.Protocol.TCP, fromPort: port, toPort: port, stringRepresentation: `container port of ${owner}` });
    this.connections.allowTo(this.targetSecurityGroup, targetPort, `Load balancer to the container port of ${owner}`);
    // The nag packs' common-port and SSH rules cannot read a port that is a parameter and report an error.
    const reason = `The port is container.port of ${owner}, only known at deploy time, which the rule cannot read; the only source is the load balancer's security group, not an address range.`;
    for (const rule of this.targetSecurityGroup.node.children) {
      if (rule instanceof ec2.CfnSecurityGroupIngress && rule.fromPort === port) {
        acknowledgeRule(rule, 'EC2RestrictedCommonPorts', reason, COMPLIANCE_PACKS);
        acknowledgeRule(rule, 'EC2RestrictedSSH', reason, COMPLIANCE_PACKS);
      }
    }
  }

  private createAccessLogsBucket(retention: Duration): s3.Bucket {
    const bucket = new s3.Bucket(this, 'AccessLogsBucket', {
      // SSE-S3: ALB access log delivery does not support SSE-KMS.
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      lifecycleRules: [{
        expiration: retention,
        // Versions only arise from deletes: keep a deleted log recoverable for 30 days.
        noncurrentVersionExpiration: Duration.days(30),
        abortIncompleteMultipartUploadAfter: Duration.days(1),
      }],
      // Retained: access logs are evidence, and must outlive the load balancer they describe.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const encryptionReason = 'ALB access log delivery supports only SSE-S3 (Amazon S3-managed keys) on the target bucket, not SSE-KMS; the bucket is encrypted with SSE-S3.';
    acknowledgeRule(bucket, 'S3DefaultEncryptionKMS', encryptionReason, COMPLIANCE_PACKS);
    acknowledgeGuardRule(bucket, 's3_bucket_default_encryption_kms_check', encryptionReason);
    const loggingReason = 'The bucket only receives ALB access logs written by Elastic Load Balancing; a server-access-log bucket for it would need one of its own in turn. Object-level access is auditable with CloudTrail S3 data events.';
    acknowledgeRule(bucket, 'S1', loggingReason, [NagPack.AWS_SOLUTIONS]);
    acknowledgeRule(bucket, 'S3BucketLoggingEnabled', loggingReason, COMPLIANCE_PACKS);
    acknowledgeGuardRule(bucket, 's3_bucket_logging_enabled_check', loggingReason);
    acknowledgeGuardRule(
      bucket,
      's3_event_notifications_enabled_check',
      'Nothing processes access logs on arrival; they are read in place (e.g. with Athena). Add notifications with addEventNotification when a consumer needs them.',
    );
    acknowledgeGuardRule(
      bucket,
      's3_bucket_object_lock_enabled_check',
      'Versioned (a deleted or overwritten log stays recoverable for 30 days) and retained on stack deletion. Object Lock cannot be turned off again once on, so it is an organisation decision: pass accessLogsBucket with Object Lock to enforce WORM retention.',
    );
    acknowledgeRule(
      bucket,
      'S3BucketReplicationEnabled',
      'Access logs are operational evidence kept in the region of the load balancer, versioned and retained; cross-region replication would need a second bucket in another region, which this construct cannot choose for you.',
      COMPLIANCE_PACKS,
    );
    return bucket;
  }

  /**
   * Turns on access logging to `bucket`. aws-cdk-lib's `logAccessLogs` needs a concrete stack
   * region (aws-cdk issue 27432); in an environment-agnostic stack this grants the ELB log
   * delivery service principal instead, which Elastic Load Balancing documents for every region.
   */
  private logAccessLogs(bucket: s3.IBucket, prefix: string): void {
    if (!Token.isUnresolved(Stack.of(this).region)) {
      this.loadBalancer.logAccessLogs(bucket, prefix);
      return;
    }
    this.loadBalancer.setAttribute('access_logs.s3.enabled', 'true');
    this.loadBalancer.setAttribute('access_logs.s3.bucket', bucket.bucketName);
    this.loadBalancer.setAttribute('access_logs.s3.prefix', prefix);
    bucket.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowElbAccessLogDelivery',
      principals: [new iam.ServicePrincipal('logdelivery.elasticloadbalancing.amazonaws.com')],
      actions: ['s3:PutObject'],
      resources: [bucket.arnForObjects(`${prefix ? `${prefix}/` : ''}AWSLogs/${Aws.ACCOUNT_ID}/*`)],
    }));
    // The load balancer validates write access when logging is turned on: create the policy first.
    const bucketPolicy = bucket.policy?.node.defaultChild;
    if (bucketPolicy) this.loadBalancer.node.addDependency(bucketPolicy);
  }

  /**
   * Logs the requests the web ACL blocked or counted to a KMS-encrypted, retained log group;
   * allowed requests are already in the access logs.
   */
  private logBlockedRequests(webAcl: wafv2.CfnWebACL): logs.LogGroup {
    // WAF requires the 'aws-waf-logs-' prefix; the stack's UUID keeps a retained group from
    // blocking a re-created stack.
    const stackUuid = Fn.select(2, Fn.split('/', Aws.STACK_ID));
    const logGroup = new logs.LogGroup(this, 'WebAclLogGroup', {
      logGroupName: `aws-waf-logs-${Names.uniqueResourceName(this, { maxLength: 100, separator: '-' })}-${stackUuid}`,
      encryptionKey: this.platform.encryptionKey,
      retention: this.platform.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledgePlatformKeyElsewhere(logGroup, this.platform);
    acknowledgeLogRetentionOptOut(logGroup, this.platform.logRetention, `logRetention on ${this.platform.node.path}`);
    // WAFv2 has no L2 in aws-cdk-lib: the logging configuration is an L1. WAF wants the log
    // group ARN without the ':*' suffix that LogGroup.logGroupArn carries.
    const logGroupArn = Stack.of(this).formatArn({
      service: 'logs',
      resource: 'log-group',
      resourceName: logGroup.logGroupName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    new wafv2.CfnLoggingConfiguration(this, 'WebAclLogging', {
      resourceArn: webAcl.attrArn,
      logDestinationConfigs: [logGroupArn],
      loggingFilter: {
        DefaultBehavior: 'DROP',
        Filters: [{
          Behavior: 'KEEP',
          Requirement: 'MEETS_ANY',
          Conditions: [
            { ActionCondition: { Action: 'BLOCK' } },
            { ActionCondition: { Action: 'COUNT' } },
            { ActionCondition: { Action: 'EXCLUDED_AS_COUNT' } },
          ],
        }],
      },
    });
    return logGroup;
  }

  private createManagedWebAcl(): wafv2.CfnWebACL {
    const managedRuleGroup = (name: string, priority: number): wafv2.CfnWebACL.RuleProperty => ({
      name: `AWS-${name}`,
      priority,
      statement: { managedRuleGroupStatement: { vendorName: 'AWS', name } },
      overrideAction: { none: {} },
      visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: `AWS-${name}`, sampledRequestsEnabled: true },
    });
    const metricName = Names.uniqueResourceName(this, { maxLength: 128, separator: '-' });
    // WAFv2 has no L2 in aws-cdk-lib: the web ACL is an L1.
    return new wafv2.CfnWebACL(this, 'WebAcl', {
      scope: 'REGIONAL',
      description: `Managed rules in front of ${this.node.path}`,
      defaultAction: { allow: {} },
      visibilityConfig: { cloudWatchMetricsEnabled: true, metricName, sampledRequestsEnabled: true },
      // 700 + 200 + 25 WCU, within the 1500 WCU included in the web ACL price.
      rules: [
        managedRuleGroup('AWSManagedRulesCommonRuleSet', 0),
        managedRuleGroup('AWSManagedRulesKnownBadInputsRuleSet', 1),
        managedRuleGroup('AWSManagedRulesAmazonIpReputationList', 2),
      ],
    });
  }
}
