import { App, Size, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Ec2DaemonService, EcsPlatform } from '../packages/cdk-ecs-kit/lib';
import { ec2CapacityDeletesInOrder, synthesizedAppFromAssembly } from './support/deploy-rules';
import { formatFindings, newApp, newStack, synthWithCompliance } from './support/synth';

function platformTemplate(props: ConstructorParameters<typeof EcsPlatform>[2] = {}) {
  const stack = newStack();
  const platform = new EcsPlatform(stack, 'Platform', props);
  return { stack, platform, template: Template.fromStack(stack) };
}

describe('EcsPlatform', () => {
  describe('defaults', () => {
    const { platform, template } = platformTemplate();

    test('creates a VPC over 2 AZs with public and private subnets and one NAT gateway', () => {
      template.resourceCountIs('AWS::EC2::VPC', 1);
      template.resourceCountIs('AWS::EC2::Subnet', 4);
      template.resourceCountIs('AWS::EC2::NatGateway', 1);
      expect(platform.vpc.publicSubnets).toHaveLength(2);
      expect(platform.vpc.privateSubnets).toHaveLength(2);
    });

    test('public subnets do not hand out public IPs on launch', () => {
      const subnets = template.findResources('AWS::EC2::Subnet');
      for (const subnet of Object.values(subnets)) {
        expect(subnet.Properties.MapPublicIpOnLaunch).toBe(false);
      }
    });

    test('writes VPC flow logs of all traffic to an encrypted, retained log group', () => {
      template.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'ALL', LogDestinationType: 'cloud-watch-logs' });
      template.hasResource('AWS::Logs::LogGroup', {
        Properties: { RetentionInDays: 365, KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('EncryptionKey'), 'Arn'] } },
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
      });
    });

    test('creates a cluster with enhanced Container Insights and Fargate + Fargate Spot capacity providers', () => {
      template.hasResourceProperties('AWS::ECS::Cluster', {
        ClusterSettings: [{ Name: 'containerInsights', Value: 'enhanced' }],
      });
      template.hasResourceProperties('AWS::ECS::ClusterCapacityProviderAssociations', {
        CapacityProviders: Match.arrayWith(['FARGATE', 'FARGATE_SPOT']),
      });
    });

    test("creates a Cloud Map private DNS namespace called 'internal' in the VPC", () => {
      template.hasResourceProperties('AWS::ServiceDiscovery::PrivateDnsNamespace', {
        Name: 'internal',
        Vpc: { Ref: Match.stringLikeRegexp('Vpc') },
      });
    });

    test('creates one customer-managed KMS key with rotation, retained, usable by CloudWatch Logs of this account', () => {
      template.resourceCountIs('AWS::KMS::Key', 1);
      template.hasResource('AWS::KMS::Key', {
        Properties: {
          EnableKeyRotation: true,
          KeyPolicy: {
            Statement: Match.arrayWith([
              Match.objectLike({
                Sid: 'AllowCloudWatchLogsOfThisAccount',
                Principal: { Service: { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } },
                Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': Match.anyValue() } },
              }),
            ]),
          },
        },
        DeletionPolicy: 'Retain',
      });
    });

    test('denies grants on the key except for AWS resources or by AWS services (Control Tower CT.KMS.PR.3)', () => {
      template.hasResourceProperties('AWS::KMS::Key', {
        KeyPolicy: {
          Statement: Match.arrayWith([{
            Sid: 'DenyGrantsExceptForAwsResources',
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: 'kms:CreateGrant',
            Resource: '*',
            Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
          }]),
        },
      });
    });

    test('has no EC2 capacity', () => {
      expect(platform.hasEc2Capacity).toBe(false);
      expect(platform.autoScalingGroup).toBeUndefined();
      template.resourceCountIs('AWS::AutoScaling::AutoScalingGroup', 0);
    });

    test('defaults workload log retention to one year', () => {
      expect(platform.logRetention).toBe(logs.RetentionDays.ONE_YEAR);
    });
  });

  test("closes the VPC's default security group in an app with no feature flags", () => {
    const stack = new Stack(new App(), 'NoFlagsStack');
    new EcsPlatform(stack, 'Platform');
    Template.fromStack(stack).hasResourceProperties('Custom::VpcRestrictDefaultSG', {
      DefaultSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('PlatformVpc'), 'DefaultSecurityGroup'] },
    });
  });

  test('default platform passes the four nag packs and the CloudFormation validator with no finding', () => {
    const app = newApp();
    new EcsPlatform(new Stack(app, 'PlatformStack'), 'Platform');
    const result = synthWithCompliance(app);
    expect(result.error).toBeUndefined();
    expect(formatFindings(result.findings)).toEqual([]);
    // The one thing acknowledged is the public subnets' route to the internet gateway, with a reason.
    const acknowledgedRules = new Set(result.acknowledged.map((a) => a.rule));
    // Control Tower: 'enhanced' Container Insights, and aws-cdk-lib's default-security-group provider outside the VPC.
    expect([...acknowledgedRules].every((r) =>
      /VPCNoUnrestrictedRouteToIGW|IAMNoInlinePolicy|ecs_container_insights_enabled_check|lambda_inside_vpc_check/.test(r))).toBe(true);
    expect(result.acknowledged.every((a) => a.reason.length > 20)).toBe(true);
  });

  describe('options', () => {
    test('natGateways: 2 gives each of the 2 zones its own NAT gateway', () => {
      const { template } = platformTemplate({ natGateways: 2 });
      template.resourceCountIs('AWS::EC2::NatGateway', 2);
    });

    test('maxAzs: 1 builds one public and one private subnet', () => {
      const { template } = platformTemplate({ maxAzs: 1 });
      template.resourceCountIs('AWS::EC2::Subnet', 2);
    });

    test('maxAzs: 3 spans three zones in a stack with an env', () => {
      const stack = new Stack(newApp(), 'Regional', { env: { account: '123456789012', region: 'eu-west-1' } });
      const platform = new EcsPlatform(stack, 'Platform', { maxAzs: 3 });
      expect(platform.vpc.availabilityZones).toHaveLength(3);
      Template.fromStack(stack).resourceCountIs('AWS::EC2::Subnet', 6);
    });

    test('natGateways: 0 creates no NAT gateway', () => {
      const { template } = platformTemplate({ natGateways: 0 });
      template.resourceCountIs('AWS::EC2::NatGateway', 0);
    });

    test('adopts a VPC you pass and adds no flow log to it', () => {
      const stack = newStack();
      const vpc = new ec2.Vpc(stack, 'MyVpc');
      const platform = new EcsPlatform(stack, 'Platform', { vpc });
      expect(platform.vpc).toBe(vpc);
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::EC2::VPC', 1);
      template.resourceCountIs('AWS::EC2::FlowLog', 0);
    });

    test('flowLogs: true adds flow logs to an adopted VPC', () => {
      const stack = newStack();
      const vpc = new ec2.Vpc(stack, 'MyVpc');
      new EcsPlatform(stack, 'Platform', { vpc, flowLogs: true });
      Template.fromStack(stack).resourceCountIs('AWS::EC2::FlowLog', 1);
    });

    test('namespaceName names the Cloud Map namespace', () => {
      const { template } = platformTemplate({ namespaceName: 'svc.example.local' });
      template.hasResourceProperties('AWS::ServiceDiscovery::PrivateDnsNamespace', { Name: 'svc.example.local' });
    });

    test('containerInsights: false turns Container Insights off', () => {
      const { template } = platformTemplate({ containerInsights: false });
      template.hasResourceProperties('AWS::ECS::Cluster', {
        ClusterSettings: [{ Name: 'containerInsights', Value: 'disabled' }],
      });
    });

    test('uses an encryption key you pass instead of creating one', () => {
      const stack = newStack();
      const key = new kms.Key(stack, 'MyKey', { enableKeyRotation: true });
      const platform = new EcsPlatform(stack, 'Platform', { encryptionKey: key });
      expect(platform.encryptionKey).toBe(key);
      Template.fromStack(stack).resourceCountIs('AWS::KMS::Key', 1);
    });

    test('logRetention sets the flow log retention and the workload default', () => {
      const { platform, template } = platformTemplate({ logRetention: logs.RetentionDays.THREE_MONTHS });
      expect(platform.logRetention).toBe(logs.RetentionDays.THREE_MONTHS);
      template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
    });

    test('clusterName names the cluster', () => {
      const { template } = platformTemplate({ clusterName: 'payments' });
      template.hasResourceProperties('AWS::ECS::Cluster', { ClusterName: 'payments' });
    });
  });

  describe('EC2 capacity', () => {
    const stack = newStack();
    const platform = new EcsPlatform(stack, 'Platform', {
      ec2Capacity: { instanceType: new ec2.InstanceType('m7g.large'), minCapacity: 1, maxCapacity: 4 },
    });
    const template = Template.fromStack(stack);

    test('exposes the Auto Scaling group and capacity provider', () => {
      expect(platform.hasEc2Capacity).toBe(true);
      expect(platform.autoScalingGroup).toBeDefined();
      expect(platform.ec2CapacityProvider).toBeDefined();
    });

    test("names the zones of the group's subnets, so Control Tower sees it spans 2 (CT.AUTOSCALING.PR.1)", () => {
      const zones = platform.vpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }).availabilityZones;
      expect(zones).toHaveLength(2);
      template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
        AvailabilityZones: zones.map((zone) => stack.resolve(zone)),
      });
    });

    test('sizes the Auto Scaling group from minCapacity and maxCapacity', () => {
      template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { MinSize: '1', MaxSize: '4' });
    });

    test('registers a capacity provider with managed scaling and draining, without termination protection', () => {
      template.hasResourceProperties('AWS::ECS::CapacityProvider', {
        AutoScalingGroupProvider: {
          ManagedScaling: { Status: 'ENABLED' },
          ManagedTerminationProtection: 'DISABLED',
          ManagedDraining: 'ENABLED',
        },
      });
    });

    test('boots the ECS-optimized Amazon Linux 2023 arm64 AMI for a Graviton instance type', () => {
      const parameters = template.findParameters('*', { Default: Match.stringLikeRegexp('amazon-linux-2023/arm64') });
      expect(Object.keys(parameters)).toHaveLength(1);
    });

    test('requires IMDSv2, encrypts the gp3 root volume and keeps instances off public IPs', () => {
      template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
        LaunchTemplateData: Match.objectLike({
          MetadataOptions: Match.objectLike({ HttpTokens: 'required', HttpPutResponseHopLimit: 1 }),
          BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { Encrypted: true, VolumeSize: 30, VolumeType: 'gp3' } }],
        }),
      });
      const asg = Object.values(template.findResources('AWS::AutoScaling::AutoScalingGroup'))[0];
      const privateSubnets = platform.vpc.privateSubnets.map((s) => stack.resolve(s.subnetId));
      expect(asg.Properties.VPCZoneIdentifier).toEqual(privateSubnets);
    });

    test('blocks awsvpc tasks from the instance metadata service', () => {
      const launchTemplate = Object.values(template.findResources('AWS::EC2::LaunchTemplate'))[0];
      expect(JSON.stringify(launchTemplate.Properties.LaunchTemplateData.UserData)).toContain('ECS_AWSVPC_BLOCK_IMDS=true >> /etc/ecs/ecs.config');
    });

    test('keeps instances at 100 % utilization by default, or at targetCapacityPercent', () => {
      template.hasResourceProperties('AWS::ECS::CapacityProvider', {
        AutoScalingGroupProvider: Match.objectLike({ ManagedScaling: Match.objectLike({ TargetCapacity: 100 }) }),
      });
      const s = newStack();
      new EcsPlatform(s, 'Platform', { ec2Capacity: { instanceType: new ec2.InstanceType('t3.medium'), targetCapacityPercent: 80 } });
      Template.fromStack(s).hasResourceProperties('AWS::ECS::CapacityProvider', {
        AutoScalingGroupProvider: Match.objectLike({ ManagedScaling: Match.objectLike({ TargetCapacity: 80 }) }),
      });
    });

    test('boots the machineImage you pass instead of the ECS-optimized AMI', () => {
      const s = newStack();
      new EcsPlatform(s, 'Platform', {
        ec2Capacity: { instanceType: new ec2.InstanceType('t3.medium'), machineImage: ec2.MachineImage.fromSsmParameter('/golden/ecs-ami') },
      });
      const t = Template.fromStack(s);
      expect(Object.keys(t.findParameters('*', { Default: '/golden/ecs-ami' }))).toHaveLength(1);
      expect(Object.keys(t.findParameters('*', { Default: Match.stringLikeRegexp('amazon-linux-2023') }))).toHaveLength(0);
    });

    test('reports launches and terminations to notificationsTopic when one is given', () => {
      expect(Object.values(template.findResources('AWS::AutoScaling::AutoScalingGroup'))[0].Properties.NotificationConfigurations).toBeUndefined();
      const s = newStack();
      const topic = new sns.Topic(s, 'CapacityEvents');
      new EcsPlatform(s, 'Platform', { ec2Capacity: { instanceType: new ec2.InstanceType('t3.medium'), notificationsTopic: topic } });
      Template.fromStack(s).hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
        NotificationConfigurations: [Match.objectLike({ TopicARN: { Ref: Match.stringLikeRegexp('CapacityEvents') } })],
      });
    });

    test('picks the x86_64 AMI for an Intel instance type', () => {
      const s = newStack();
      new EcsPlatform(s, 'Platform', { ec2Capacity: { instanceType: new ec2.InstanceType('m7i.large') } });
      const parameters = Template.fromStack(s).findParameters('*', { Default: Match.stringLikeRegexp('amazon-linux-2023/recommended') });
      expect(Object.keys(parameters)).toHaveLength(1);
    });

    test('defaults to 1..2 instances and managedTerminationProtection can be turned on', () => {
      const s = newStack();
      new EcsPlatform(s, 'Platform', {
        ec2Capacity: { instanceType: new ec2.InstanceType('t3.medium'), managedTerminationProtection: true, rootVolumeSize: Size.gibibytes(50) },
      });
      const t = Template.fromStack(s);
      t.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { MinSize: '1', MaxSize: '2' });
      t.hasResourceProperties('AWS::ECS::CapacityProvider', {
        AutoScalingGroupProvider: Match.objectLike({ ManagedTerminationProtection: 'ENABLED' }),
      });
      t.hasResourceProperties('AWS::EC2::LaunchTemplate', {
        LaunchTemplateData: Match.objectLike({ BlockDeviceMappings: [Match.objectLike({ Ebs: Match.objectLike({ VolumeSize: 50 }) })] }),
      });
    });
  });

  test('platform with EC2 capacity passes the four nag packs and the CloudFormation validator with no finding', () => {
    const app = newApp();
    new EcsPlatform(new Stack(app, 'PlatformStack'), 'Platform', {
      ec2Capacity: { instanceType: new ec2.InstanceType('m7g.large'), minCapacity: 1, maxCapacity: 4 },
    });
    const result = synthWithCompliance(app);
    expect(result.error).toBeUndefined();
    expect(formatFindings(result.findings)).toEqual([]);
  });

  describe('EC2 capacity teardown on stack deletion', () => {
    const stack = newStack();
    const platform = new EcsPlatform(stack, 'Platform', { ec2Capacity: { instanceType: new ec2.InstanceType('m7g.large') } });
    const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/aws-observability/aws-otel-collector:v0.40.0');
    new Ec2DaemonService(stack, 'Agent', { platform, container: { image } });
    new Ec2DaemonService(stack, 'Logs', { platform, container: { image, port: 24224 } });
    const template = Template.fromStack(stack);
    const [teardownId] = Object.keys(template.findResources('Custom::Ec2CapacityTeardown'));
    const asgId = stack.getLogicalId(platform.autoScalingGroup!.node.defaultChild as any);
    const clusterId = stack.getLogicalId(platform.cluster.node.defaultChild as any);
    const code = Object.values(template.findResources('AWS::Lambda::Function'))
      .map((f) => f.Properties.Code.ZipFile).filter((c): c is string => typeof c === 'string');
    const [functionId] = Object.entries(template.findResources('AWS::Lambda::Function'))
      .filter(([, f]) => String(f.Properties.Code.ZipFile).includes('DeleteAutoScalingGroupCommand')).map(([fid]) => fid);

    test('a teardown custom resource references the Auto Scaling group and the cluster, so it is deleted before both', () => {
      expect(platform.ec2CapacityTeardown).toBeDefined();
      template.hasResourceProperties('Custom::Ec2CapacityTeardown', {
        AutoScalingGroupName: { Ref: asgId },
        ClusterName: { Ref: clusterId },
      });
    });

    test('every daemon service DependsOn the teardown, so it runs after the daemons are gone', () => {
      const services = Object.values(template.findResources('AWS::ECS::Service'));
      expect(services).toHaveLength(2);
      for (const service of services) expect(service.DependsOn).toEqual(expect.arrayContaining([teardownId]));
    });

    test('the deploy rule ec2-capacity-deletes-in-order holds, and the template has no cycle', () => {
      const app = synthesizedAppFromAssembly(stack.node.root instanceof App ? (stack.node.root as App).synth() : (undefined as never));
      expect(ec2CapacityDeletesInOrder.check(app)).toEqual([]);
    });

    test('is one function on the Node.js 24 runtime, which CloudFormation invokes directly (no provider framework)', () => {
      expect(code).toHaveLength(1);
      expect(code[0]).toContain('DeleteAutoScalingGroupCommand');
      template.hasResourceProperties('AWS::Lambda::Function', { Handler: 'index.handler', Runtime: 'nodejs24.x' });
      template.resourceCountIs('AWS::StepFunctions::StateMachine', 0);
      template.hasResourceProperties('Custom::Ec2CapacityTeardown', { ServiceToken: { 'Fn::GetAtt': [functionId, 'Arn'] } });
    });

    test('costs at most 5 resources: the custom resource, its function, role, log group (and no separate policy)', () => {
      const teardown = Object.entries(template.toJSON().Resources as { [id: string]: { Type: string } })
        .filter(([id]) => id.startsWith('PlatformEc2CapacityTeardown'))
        .map(([, r]) => r.Type).sort();
      expect(teardown.length).toBeLessThanOrEqual(5);
      expect(teardown).toEqual(['AWS::IAM::Role', 'AWS::Lambda::Function', 'AWS::Logs::LogGroup', 'Custom::Ec2CapacityTeardown']);
    });

    test('waits within the function\'s 15-minute limit, polling every 15 seconds; CloudFormation gives up after 20 minutes', () => {
      template.hasResourceProperties('AWS::Lambda::Function', { Handler: 'index.handler', Timeout: 900 });
      template.hasResourceProperties('Custom::Ec2CapacityTeardown', { ServiceTimeout: '1200' });
      expect(code[0]).toMatch(/const POLL_MS = 15000;/);
    });

    test('may delete only this Auto Scaling group, deregister instances only of this cluster and describe only its own stack', () => {
      const [role] = Object.values(template.findResources('AWS::IAM::Role')).filter((r) => JSON.stringify(r).includes('DeleteAutoScalingGroup'));
      const statements = role.Properties.Policies.flatMap((p: any) => p.PolicyDocument.Statement);
      const deleteGroup = statements.filter((st: any) => [st.Action].flat().includes('autoscaling:DeleteAutoScalingGroup'));
      expect(deleteGroup).toHaveLength(1);
      expect(JSON.stringify(deleteGroup[0].Resource)).toContain(`autoScalingGroupName/",{"Ref":"${asgId}"}`);
      const ecsStatements = statements.filter((st: any) => [st.Action].flat().some((a: string) => /ecs:(ListContainerInstances|DeregisterContainerInstance)/.test(a)));
      expect(ecsStatements).toHaveLength(1);
      expect(ecsStatements[0].Resource).toEqual({ 'Fn::GetAtt': [clusterId, 'Arn'] });
      const describe = statements.filter((st: any) => [st.Action].flat().includes('cloudformation:DescribeStacks'));
      expect(describe).toEqual([expect.objectContaining({ Resource: { Ref: 'AWS::StackId' } })]);
      expect(JSON.stringify(statements)).not.toMatch(/"Resource":"\*"/);
    });

    test('logs to a retained log group encrypted with the platform key, with no AWS managed policy on its role', () => {
      const roles = Object.entries(template.findResources('AWS::IAM::Role')).filter(([id]) => id.includes('Ec2CapacityTeardown'));
      expect(roles).toHaveLength(1);
      for (const [, role] of roles) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      const [logGroupId] = Object.keys(template.findResources('AWS::Logs::LogGroup')).filter((id) => id.includes('Ec2CapacityTeardown'));
      template.hasResource('AWS::Logs::LogGroup', { Properties: { KmsKeyId: Match.anyValue(), RetentionInDays: 365 }, DeletionPolicy: 'Retain' });
      template.hasResourceProperties('AWS::Lambda::Function', { Handler: 'index.handler', LoggingConfig: { LogGroup: { Ref: logGroupId } } });
    });

    test('has no DependsOn that a Ref or GetAtt already enforces (cfn-lint W3005)', () => {
      const resources = template.toJSON().Resources as { [id: string]: { DependsOn?: string[] } };
      for (const [id, resource] of Object.entries(resources).filter(([rid]) => rid.startsWith('PlatformEc2CapacityTeardown'))) {
        const referenced = new Set([...JSON.stringify(resource).matchAll(/\{"Ref":"([^"]+)"\}|\{"Fn::GetAtt":\["([^"]+)"/g)].map((m) => m[1] ?? m[2]));
        expect({ id, redundant: [resource.DependsOn ?? []].flat().filter((d) => referenced.has(d)) }).toEqual({ id, redundant: [] });
      }
    });
  });

  // The teardown and a daemon in every flag state and environment: test/ec2-capacity-teardown.test.ts.

  describe('rejects bad input', () => {
    test.each([
      ['Internal', /namespaceName: 'Internal' is not a valid DNS name/],
      ['-svc', /namespaceName: '-svc' is not a valid DNS name/],
      ['a..b', /namespaceName: 'a\.\.b' is not a valid DNS name/],
    ])('rejects the namespace name %s', (namespaceName, message) => {
      expect(() => new EcsPlatform(newStack(), 'Platform', { namespaceName })).toThrow(message);
    });

    test('rejects ec2Capacity.minCapacity greater than maxCapacity, naming both', () => {
      expect(() => new EcsPlatform(newStack(), 'Platform', {
        ec2Capacity: { instanceType: new ec2.InstanceType('t3.medium'), minCapacity: 5, maxCapacity: 2 },
      })).toThrow(/\[TestStack\/Platform\] ec2Capacity\.minCapacity: \(5\) must not be greater than ec2Capacity\.maxCapacity \(2\)/);
    });

    test('rejects a negative natGateways', () => {
      expect(() => new EcsPlatform(newStack(), 'Platform', { natGateways: -1 })).toThrow(/natGateways: must be an integer from 0 to 6, got -1/);
    });

    test('rejects maxAzs above 2 in an environment-agnostic stack instead of silently building 2 zones', () => {
      expect(() => new EcsPlatform(newStack(), 'Platform', { maxAzs: 3 })).toThrow(
        /maxAzs: asks for 3 Availability Zones, but the stack TestStack knows only 2: an environment-agnostic stack \(no env\) offers 2\. Give the stack an env/,
      );
    });

    test('rejects maxAzs together with a VPC you pass', () => {
      const stack = newStack();
      const vpc = new ec2.Vpc(stack, 'MyVpc');
      expect(() => new EcsPlatform(stack, 'Platform', { vpc, maxAzs: 3 })).toThrow(/maxAzs and natGateways shape a new VPC and cannot be combined with vpc/);
    });

    test('rejects a root volume smaller than the AMI needs', () => {
      expect(() => new EcsPlatform(newStack(), 'Platform', {
        ec2Capacity: { instanceType: new ec2.InstanceType('t3.medium'), rootVolumeSize: Size.gibibytes(8) },
      })).toThrow(/ec2Capacity\.rootVolumeSize: must be an integer from 30 to 16384, got 8/);
    });

    test('rejects a target capacity percent above 100', () => {
      expect(() => new EcsPlatform(newStack(), 'Platform', {
        ec2Capacity: { instanceType: new ec2.InstanceType('t3.medium'), targetCapacityPercent: 120 },
      })).toThrow(/ec2Capacity\.targetCapacityPercent: must be greater than 0 and at most 100, got 120/);
    });
  });
});
