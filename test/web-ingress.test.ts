import { Duration, Stack, StackProps } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { EcsPlatform, WebIngress, WebIngressProps } from '../packages/cdk-ecs-kit/lib';
import { formatFindings, newApp, synthWithCompliance } from './support/synth';

const CERTIFICATE_ARN = 'arn:aws:acm:eu-west-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';
const WEB_ACL_ARN = 'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/shared/22222222-3333-4444-5555-666666666666';

/** A stack with a platform, and a function that adds an ingress with a certificate plus `props` and the overrides. */
function ingressStack(props: Partial<WebIngressProps> = {}, stackProps?: StackProps) {
  const stack = new Stack(newApp(), 'Web', stackProps);
  const platform = new EcsPlatform(stack, 'Platform');
  const certificate = acm.Certificate.fromCertificateArn(stack, 'Certificate', CERTIFICATE_ARN);
  const build = (overrides: Partial<WebIngressProps> = {}) => new WebIngress(stack, 'Ingress', { platform, certificate, ...props, ...overrides });
  return { stack, platform, certificate, build };
}

/** The template of an ingress built with `props` on top of the default (with a certificate). */
function templateOf(props: Partial<WebIngressProps> = {}, stackProps?: StackProps): Template {
  const { stack, build } = ingressStack({}, stackProps);
  build(props);
  return Template.fromStack(stack);
}

describe('WebIngress', () => {
  let defaults: Template;
  beforeAll(() => {
    defaults = templateOf();
  });

  test('listens on 443 with the certificate and a TLS 1.3/1.2 policy without CBC ciphers', () => {
    defaults.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: CERTIFICATE_ARN }],
      SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09',
    });
  });

  test('redirects HTTP on port 80 permanently to HTTPS', () => {
    defaults.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      Protocol: 'HTTP',
      DefaultActions: [{ Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' } }],
    });
  });

  test('answers requests no service matches with a fixed 404', () => {
    defaults.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: Match.objectLike({ StatusCode: '404' }) }],
    });
  });

  test('uses the sslPolicy, access-log retention and idle timeout you pass', () => {
    const template = templateOf({
      sslPolicy: elbv2.SslPolicy.TLS13_13,
      accessLogsRetention: Duration.days(90),
      idleTimeout: Duration.seconds(120),
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 443, SslPolicy: 'ELBSecurityPolicy-TLS13-1-3-2021-06' });
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 90 })] },
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'idle_timeout.timeout_seconds', Value: '120' }]),
    });
  });

  test('is internet-facing, drops invalid header fields and is protected from deletion', () => {
    defaults.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internet-facing',
      Type: 'application',
      LoadBalancerAttributes: Match.arrayWith([
        { Key: 'deletion_protection.enabled', Value: 'true' },
        { Key: 'routing.http.drop_invalid_header_fields.enabled', Value: 'true' },
      ]),
    });
  });

  test('accepts only ports 80 and 443, from anywhere by default', () => {
    defaults.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'Load balancer of Web/Ingress',
      SecurityGroupIngress: [
        Match.objectLike({ CidrIp: '0.0.0.0/0', FromPort: 80, ToPort: 80 }),
        Match.objectLike({ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443 }),
      ],
    });
  });

  test('sends nothing until a service attaches', () => {
    defaults.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'Load balancer of Web/Ingress',
      SecurityGroupEgress: [Match.objectLike({ CidrIp: '255.255.255.255/32', Description: 'Disallow all traffic' })],
    });
    defaults.resourceCountIs('AWS::EC2::SecurityGroupEgress', 0);
  });

  test('writes access logs to an SSE-S3, SSL-only, private, versioned, expiring bucket that is retained', () => {
    defaults.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: {
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        VersioningConfiguration: { Status: 'Enabled' },
        LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 365, Status: 'Enabled' })] },
      },
    });
    defaults.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    defaults.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      LoadBalancerAttributes: Match.arrayWith([
        { Key: 'access_logs.s3.enabled', Value: 'true' },
        { Key: 'access_logs.s3.prefix', Value: 'alb' },
      ]),
    });
  });

  test('lets only the ELB log delivery service write, under the prefix and this account, in a stack without a region', () => {
    defaults.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([{
          Sid: 'AllowElbAccessLogDelivery',
          Effect: 'Allow',
          Action: 's3:PutObject',
          Principal: { Service: 'logdelivery.elasticloadbalancing.amazonaws.com' },
          Resource: { 'Fn::Join': ['', [Match.anyValue(), '/alb/AWSLogs/', { Ref: 'AWS::AccountId' }, '/*']] },
        }]),
      },
    });
  });

  test("uses aws-cdk-lib's access-log principal for the region when the stack has one", () => {
    const template = templateOf({}, { env: { region: 'eu-west-1' } });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: 's3:PutObject',
          Principal: { AWS: Match.stringLikeRegexp(':156460612806:root$') },
        })]),
      },
    });
  });

  test('writes access logs to a given bucket instead of creating one', () => {
    const { stack, build } = ingressStack();
    const bucket = new s3.Bucket(stack, 'Logs', { encryption: s3.BucketEncryption.S3_MANAGED });
    build({ accessLogsBucket: bucket, accessLogsPrefix: 'shared-alb' });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::S3::Bucket', 1);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'access_logs.s3.bucket', Value: { Ref: Match.stringLikeRegexp('^Logs') } }]),
    });
  });

  test('puts a web ACL with the AWS Core, Known bad inputs and IP reputation rule groups in front of an internet-facing ingress', () => {
    defaults.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'REGIONAL',
      DefaultAction: { Allow: {} },
      Rules: [
        Match.objectLike({ Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: 'AWSManagedRulesCommonRuleSet' } }, OverrideAction: { None: {} } }),
        Match.objectLike({ Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: 'AWSManagedRulesKnownBadInputsRuleSet' } } }),
        Match.objectLike({ Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: 'AWSManagedRulesAmazonIpReputationList' } } }),
      ],
    });
    defaults.hasResourceProperties('AWS::WAFv2::WebACLAssociation', {
      ResourceArn: { Ref: Match.stringLikeRegexp('^IngressLoadBalancer') },
      WebACLArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^IngressWebAcl'), 'Arn'] },
    });
  });

  test('logs the requests the web ACL blocked or counted to an encrypted, retained log group', () => {
    defaults.hasResource('AWS::Logs::LogGroup', {
      DeletionPolicy: 'Retain',
      Properties: {
        LogGroupName: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('^aws-waf-logs-')])] },
        KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PlatformEncryptionKey'), 'Arn'] },
      },
    });
    defaults.hasResourceProperties('AWS::WAFv2::LoggingConfiguration', {
      LoggingFilter: {
        DefaultBehavior: 'DROP',
        Filters: [Match.objectLike({ Behavior: 'KEEP', Conditions: Match.arrayWith([{ ActionCondition: { Action: 'BLOCK' } }]) })],
      },
    });
  });

  test('associates a given web ACL instead of creating one', () => {
    const template = templateOf({ webAclArn: WEB_ACL_ARN });
    template.resourceCountIs('AWS::WAFv2::WebACL', 0);
    template.hasResourceProperties('AWS::WAFv2::WebACLAssociation', { WebACLArn: WEB_ACL_ARN });
  });

  test('creates no web ACL when managedWebAcl is false', () => {
    const template = templateOf({ managedWebAcl: false });
    template.resourceCountIs('AWS::WAFv2::WebACL', 0);
    template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 0);
  });

  test('an internal ingress runs in private subnets, accepts only the VPC range and has no web ACL', () => {
    const template = templateOf({ internetFacing: false });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internal',
      Subnets: [{ Ref: Match.stringLikeRegexp('PrivateSubnet1') }, { Ref: Match.stringLikeRegexp('PrivateSubnet2') }],
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'Load balancer of Web/Ingress',
      SecurityGroupIngress: Match.arrayWith([Match.objectLike({ CidrIp: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PlatformVpc'), 'CidrBlock'] }, FromPort: 443 })]),
    });
    template.resourceCountIs('AWS::WAFv2::WebACL', 0);
  });

  test('accepts 80 and 443 only from allowedCidrs', () => {
    const template = templateOf({ allowedCidrs: ['203.0.113.0/24'] });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'Load balancer of Web/Ingress',
      SecurityGroupIngress: [
        Match.objectLike({ CidrIp: '203.0.113.0/24', FromPort: 80 }),
        Match.objectLike({ CidrIp: '203.0.113.0/24', FromPort: 443 }),
      ],
    });
  });

  test('serves routes on port 80 without a certificate when allowPlainHttp is set', () => {
    const { stack, build } = ingressStack();
    const ingress = build({ certificate: undefined, allowPlainHttp: true });
    expect(ingress.httpsListener).toBeUndefined();
    expect(ingress.listener).toBe(ingress.httpListener);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 1);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 80, DefaultActions: [Match.objectLike({ Type: 'fixed-response' })] });
  });

  test('rejects an ingress without a certificate', () => {
    const { build } = ingressStack();
    expect(() => build({ certificate: undefined })).toThrow(/\[Web\/Ingress\] certificate: is required.*set allowPlainHttp: true/);
  });

  test('rejects allowPlainHttp together with a certificate', () => {
    const { build } = ingressStack();
    expect(() => build({ allowPlainHttp: true })).toThrow(/allowPlainHttp: cannot be combined with certificate/);
  });

  test('rejects webAclArn together with managedWebAcl: true', () => {
    const { build } = ingressStack();
    expect(() => build({ webAclArn: WEB_ACL_ARN, managedWebAcl: true })).toThrow(/managedWebAcl: cannot be true together with webAclArn/);
  });

  test('rejects an allowedCidrs entry that is not an IPv4 CIDR range', () => {
    const { build } = ingressStack();
    expect(() => build({ allowedCidrs: ['10.0.0.0/33'] })).toThrow(/allowedCidrs: '10.0.0.0\/33' is not an IPv4 CIDR range.*'a.b.c.d\/n'/);
  });

  test('rejects an empty allowedCidrs', () => {
    const { build } = ingressStack();
    expect(() => build({ allowedCidrs: [] })).toThrow(/allowedCidrs: must not be empty/);
  });

  test('default, internal, plain-HTTP and WAF-less ingresses have no unacknowledged compliance finding', () => {
    const app = newApp();
    const stack = new Stack(app, 'Web');
    const platform = new EcsPlatform(stack, 'Platform');
    const certificate = acm.Certificate.fromCertificateArn(stack, 'Certificate', CERTIFICATE_ARN);
    new WebIngress(stack, 'Public', { platform, certificate });
    new WebIngress(stack, 'Internal', { platform, certificate, internetFacing: false });
    new WebIngress(stack, 'PlainHttp', { platform, allowPlainHttp: true, deletionProtection: false });
    new WebIngress(stack, 'NoWaf', { platform, certificate, managedWebAcl: false });

    const result = synthWithCompliance(app);

    expect(result.error).toBeUndefined();
    expect(formatFindings(result.findings)).toEqual([]);
    expect(result.acknowledged).toContainEqual(expect.objectContaining({
      rule: 'NIST.800.53.R5-S3DefaultEncryptionKMS',
      reason: expect.stringMatching(/supports only SSE-S3/),
      paths: ['Web/Public/AccessLogsBucket/Resource'],
    }));
  });
});
