import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { ContainerSpec, EcsPlatform } from '../packages/cdk-ecs-kit/lib';
import { addContainerFromSpec } from '../packages/cdk-ecs-kit/lib/workload/container-spec';
import { formatFindings, newApp, newStack, synthWithCompliance } from './support/synth';

const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable');

function taskWith(spec: ContainerSpec, stack: Stack = newStack()) {
  const platform = new EcsPlatform(stack, 'Platform');
  const workload = new Construct(stack, 'Workload');
  const taskDefinition = new ecs.FargateTaskDefinition(workload, 'TaskDefinition');
  const added = addContainerFromSpec(workload, taskDefinition, { platform, spec });
  return { stack, platform, taskDefinition, ...added };
}

function containerDefinition(stack: Stack) {
  const taskDefinitions = Template.fromStack(stack).findResources('AWS::ECS::TaskDefinition');
  return Object.values(taskDefinitions)[0].Properties.ContainerDefinitions[0];
}

describe('ContainerSpec', () => {
  describe('hardening by default', () => {
    const { stack } = taskWith({ image, port: 8080 });
    const template = Template.fromStack(stack);
    const container = containerDefinition(stack);

    test('logs with awslogs to a dedicated log group encrypted with the platform key and retained for a year', () => {
      expect(container.LogConfiguration.LogDriver).toBe('awslogs');
      expect(container.LogConfiguration.Options['awslogs-group']).toEqual({ Ref: expect.stringMatching(/^WorkloadLogGroup/) });
      template.hasResource('AWS::Logs::LogGroup', {
        Properties: {
          RetentionInDays: 365,
          KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('PlatformEncryptionKey'), 'Arn'] },
        },
        DeletionPolicy: 'Retain',
      });
    });

    test('runs an init process so signals reach the app', () => {
      expect(container.LinuxParameters).toEqual(expect.objectContaining({ InitProcessEnabled: true }));
    });

    test('has a read-only root file system with a writable /tmp scratch volume', () => {
      expect(container.ReadonlyRootFilesystem).toBe(true);
      expect(container.MountPoints).toEqual([{ ContainerPath: '/tmp', ReadOnly: false, SourceVolume: 'app-tmp' }]);
      template.hasResourceProperties('AWS::ECS::TaskDefinition', { Volumes: [{ Name: 'app-tmp' }] });
    });

    test('gives the container 30 seconds to drain after SIGTERM', () => {
      expect(container.StopTimeout).toBe(30);
    });

    test('maps the container port over TCP', () => {
      expect(container.PortMappings).toEqual([{ ContainerPort: 8080, Protocol: 'tcp', Name: 'app-8080' }]);
    });

    test('is essential', () => {
      expect(container.Essential).toBe(true);
    });
  });

  test('injects secrets through ECS secrets, not plain environment variables', () => {
    const stack = newStack();
    const dbSecret = new secretsmanager.Secret(stack, 'DbSecret');
    const parameter = ssm.StringParameter.fromSecureStringParameterAttributes(stack, 'ApiKey', { parameterName: '/app/api-key' });
    taskWith({
      image,
      environment: { LOG_LEVEL: 'info' },
      secrets: {
        DB_PASSWORD: ecs.Secret.fromSecretsManager(dbSecret, 'password'),
        API_KEY: ecs.Secret.fromSsmParameter(parameter),
      },
    }, stack);
    const container = containerDefinition(stack);
    expect(container.Environment).toEqual([{ Name: 'LOG_LEVEL', Value: 'info' }]);
    expect(container.Secrets).toEqual(expect.arrayContaining([
      { Name: 'DB_PASSWORD', ValueFrom: { 'Fn::Join': ['', [{ Ref: expect.stringMatching(/^DbSecret/) }, ':password::']] } },
      expect.objectContaining({ Name: 'API_KEY' }),
    ]));
  });

  test('lets only the execution role read exactly the secrets given', () => {
    const stack = newStack();
    const dbSecret = new secretsmanager.Secret(stack, 'DbSecret');
    const { taskDefinition } = taskWith({ image, secrets: { DB_PASSWORD: ecs.Secret.fromSecretsManager(dbSecret, 'password') } }, stack);
    const template = Template.fromStack(stack);
    const executionRoleId = stack.getLogicalId(taskDefinition.executionRole!.node.defaultChild as any);
    const taskRoleId = stack.getLogicalId(taskDefinition.taskRole.node.defaultChild as any);
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: executionRoleId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: Match.arrayWith(['secretsmanager:GetSecretValue']),
            Resource: { Ref: Match.stringLikeRegexp('DbSecret') },
          }),
        ]),
      },
    });
    const taskRolePolicies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: taskRoleId }] } });
    expect(Object.keys(taskRolePolicies)).toHaveLength(0);
  });

  test('readonlyRootFilesystem: false makes the root file system writable', () => {
    const { stack } = taskWith({ image, readonlyRootFilesystem: false });
    expect(containerDefinition(stack).ReadonlyRootFilesystem).toBe(false);
  });

  test('passes command, entry point, user, stop timeout and container health check through', () => {
    const { stack } = taskWith({
      image,
      command: ['node', 'server.js'],
      entryPoint: ['/sbin/tini', '--'],
      user: '1000:1000',
      stopTimeout: Duration.seconds(90),
      healthCheck: { command: ['CMD-SHELL', 'wget -qO- localhost:8080/healthz || exit 1'] },
    });
    const container = containerDefinition(stack);
    expect(container.Command).toEqual(['node', 'server.js']);
    expect(container.EntryPoint).toEqual(['/sbin/tini', '--']);
    expect(container.User).toBe('1000:1000');
    expect(container.StopTimeout).toBe(90);
    expect(container.HealthCheck.Command).toEqual(['CMD-SHELL', 'wget -qO- localhost:8080/healthz || exit 1']);
  });

  test('logRetention overrides the platform default for this container', () => {
    const { stack } = taskWith({ image, logRetention: logs.RetentionDays.ONE_MONTH });
    Template.fromStack(stack).hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  test('a task definition with a hardened container from ECR passes the nag packs, Control Tower and the validator', () => {
    const app = newApp();
    const stack = new Stack(app, 'ContainerStack');
    const dbSecret = new secretsmanager.Secret(stack, 'DbSecret');
    const repository = ecr.Repository.fromRepositoryName(stack, 'Repository', 'orders');
    taskWith({
      image: ecs.ContainerImage.fromEcrRepository(repository, 'v1.2.3'),
      user: '1000',
      port: 8080,
      environment: { LOG_LEVEL: 'info' },
      secrets: { DB_PASSWORD: ecs.Secret.fromSecretsManager(dbSecret, 'password') },
    }, stack);
    const result = synthWithCompliance(app);
    expect(result.error).toBeUndefined();
    // The secret itself is the user's: its rotation findings are not ours to acknowledge.
    // The memory hard limit is set by each workload (the task's memory on Fargate), not by the spec.
    const ours = result.findings.filter((f) => !f.paths.every((p) => p.startsWith('ContainerStack/DbSecret'))
      && f.rule !== 'ecs_task_definition_memory_hard_limit_check');
    expect(formatFindings(ours)).toEqual([]);
    // ecr:GetAuthorizationToken has no resource-level permissions: acknowledged, with the reason.
    expect(result.acknowledged).toContainEqual(expect.objectContaining({
      rule: 'AwsSolutions-IAM5[Resource::*]',
      reason: expect.stringMatching(/ecr:GetAuthorizationToken supports no resource-level permissions/),
    }));
  });

  describe('rejects bad input', () => {
    test('a name used both as a secret and as an environment variable', () => {
      const stack = newStack();
      const dbSecret = new secretsmanager.Secret(stack, 'DbSecret');
      expect(() => taskWith({
        image,
        environment: { DB_PASSWORD: 'plain' },
        secrets: { DB_PASSWORD: ecs.Secret.fromSecretsManager(dbSecret) },
      }, stack)).toThrow(/\[TestStack\/Workload\] container\.secrets: 'DB_PASSWORD' is set both as a secret and in container\.environment/);
    });

    test.each([0, 70000, 1.5])('port %p', (port) => {
      expect(() => taskWith({ image, port })).toThrow(new RegExp(`container\\.port: must be an integer from 1 to 65535, got ${port}`));
    });

    test('a health check path without a leading slash', () => {
      expect(() => taskWith({ image, healthCheckPath: 'healthz' })).toThrow(/container\.healthCheckPath: 'healthz' is not a valid HTTP path\. Start it with '\/'/);
    });

    test('a stop timeout above the Fargate maximum of 120 seconds', () => {
      expect(() => taskWith({ image, stopTimeout: Duration.minutes(5) })).toThrow(/container\.stopTimeout \(seconds\): must be an integer from 1 to 120, got 300/);
    });

    test('an environment variable name with a dash', () => {
      expect(() => taskWith({ image, environment: { 'LOG-LEVEL': 'info' } })).toThrow(/'LOG-LEVEL' is not a valid environment variable name/);
    });
  });
});
