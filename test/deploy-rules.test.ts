/**
 * Every documented AWS rule a synthesized template must obey (ARCHITECTURE.md principle 3), checked
 * over the templates of every example and of the reference app, each synthesized with this
 * repository's feature flags and with none. The rules live in ./support/deploy-rules.ts, each
 * naming its AWS documentation page.
 *
 * Every checker is first shown to fail: for each rule a minimal hand-made bad template it must
 * flag, and the matching good one it must pass (`-t checker` runs only those).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { buildReferenceApp } from '../bin/app';
import {
  CfnResource, DEPLOY_RULES, DeployRule, PLACEHOLDER_RULES, SynthesizedApp, alarmTopicAcceptsCloudWatch, appOf, awsvpcNetworking, batchTimeoutStopsTask,
  capacityProviderStrategyValid, deploymentAlarmsExist, ec2CapacityDeletesInOrder, ec2ContainerMemory, executionRoleCanDecryptSecretKeys, fargateStopTimeout,
  fargateTaskSize, integrationStates, loadBalancerTargetsMatchTasks, logGroupKeyAllowsLogs, fargateSpotPlatformVersion, parseStateMachineDefinition,
  refTarget, renderString, resourceOf, resourcesOfType, taskDefinitionOf, schedulerRetryPolicyRange, schedulerRoleTrust, secretValueFromFormat, serviceDependsOnCapacityProviderAssociation,
  serviceRegistryMatchesNetworkMode, stackOf, synthesizedAppFromAssembly, targetGroupHealthCheckTiming, tokenOf, uniqueDiscoveryNames,
  trafficShiftingListenerRules, uniqueListenerRulePriorities, wafLogGroupName,
} from './support/deploy-rules';
import { EXAMPLE_APPS, exampleStackClass } from './support/examples';
import { newApp } from './support/synth';

// ---------------------------------------------------------------------------------------------
// The corpus: every example and the reference app, in two contexts, each synthesized once
// ---------------------------------------------------------------------------------------------

/** The apps of the corpus: name -> adds its stacks to an app. */
const APPS: { [name: string]: (app: App) => void } = {
  ...Object.fromEntries(EXAMPLE_APPS.map(({ label, name, file }) => [`examples/${label}`, (app: App) => {
    const StackClass = exampleStackClass(name, file);
    new StackClass(app, 'Example');
  }])),
  'bin/app.ts': (app: App) => {
    buildReferenceApp(app);
  },
};

/** The contexts each app is synthesized in: this repository's cdk.json flags, and a plain app with none. */
const CONTEXTS: { [name: string]: () => App } = {
  'repository flags': () => newApp(),
  'no feature flags': () => new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-ecs-kit-rules-')) }),
};

const CORPUS: Array<[string, string]> = Object.keys(APPS).flatMap((app) => Object.keys(CONTEXTS).map((context): [string, string] => [app, context]));

const synthesized = new Map<string, SynthesizedApp>();

/** The templates of one app in one context, synthesized on first use (no nag packs: they are slow and not what is checked here). */
function templatesOf(appName: string, contextName: string): SynthesizedApp {
  const key = `${appName} | ${contextName}`;
  let result = synthesized.get(key);
  if (!result) {
    const app = CONTEXTS[contextName]();
    APPS[appName](app);
    result = synthesizedAppFromAssembly(app.synth());
    synthesized.set(key, result);
  }
  return result;
}

const ACTIVE_RULES = DEPLOY_RULES.filter((rule) => !PLACEHOLDER_RULES.includes(rule));

test('there are examples and rules to check', () => {
  expect(EXAMPLE_APPS.length).toBeGreaterThan(0);
  expect(ACTIVE_RULES.length).toBeGreaterThan(0);
  expect(new Set(DEPLOY_RULES.map((r) => r.id)).size).toBe(DEPLOY_RULES.length);
});

describe.each(ACTIVE_RULES.map((rule): [string, DeployRule] => [rule.id, rule]))('deploy rule %s', (_id, rule) => {
  test.each(CORPUS)('holds for %s synthesized with %s', (appName, contextName) => {
    const app = templatesOf(appName, contextName);
    expect(Object.keys(app.templates).length).toBeGreaterThan(0);
    expect(rule.check(app)).toEqual([]);
  });
});

describe.each(Object.keys(CONTEXTS))('the rules read what CDK writes (bin/app.ts, %s)', (contextName) => {
  test('finds the batch job\'s RunTask and SNS publish states, their task definition, cluster and topic', () => {
    const app = templatesOf('bin/app.ts', contextName);
    const [runTask] = integrationStates(app, 'ecs:runTask');
    expect(runTask).toBeDefined();
    const template = app.templates[runTask.stack];
    expect(taskDefinitionOf(template, runTask.parameters.TaskDefinition)).toBeDefined();
    expect(resourceOf(template, refTarget(tokenOf(runTask.parsed, runTask.parameters.Cluster)), 'AWS::ECS::Cluster')).toBeDefined();
    const [publish] = integrationStates(app, 'sns:publish');
    expect(resourceOf(template, refTarget(tokenOf(publish.parsed, publish.parameters.TopicArn)), 'AWS::SNS::Topic')).toBeDefined();
  });

  test('finds services with capacity provider strategies, discovery services, listener rules, encrypted log groups and a container secret', () => {
    const app = templatesOf('bin/app.ts', contextName);
    expect(resourcesOfType(app, 'AWS::ECS::Service').filter((s) => s.resource.Properties?.CapacityProviderStrategy).length).toBe(3);
    expect(resourcesOfType(app, 'AWS::ECS::ClusterCapacityProviderAssociations').length).toBe(1);
    expect(resourcesOfType(app, 'AWS::ServiceDiscovery::Service').length).toBe(4);
    expect(resourcesOfType(app, 'AWS::ElasticLoadBalancingV2::ListenerRule').length).toBe(3);
    expect(resourcesOfType(app, 'AWS::Logs::LogGroup').filter((l) => l.resource.Properties?.KmsKeyId).length).toBeGreaterThan(0);
    expect(resourcesOfType(app, 'AWS::ECS::TaskDefinition').flatMap((t) => t.resource.Properties.ContainerDefinitions).filter((c: any) => c.Secrets).length).toBe(1);
  });
});

test('no rule is a placeholder', () => {
  expect(PLACEHOLDER_RULES.map((rule) => rule.id)).toEqual([]);
});

// ---------------------------------------------------------------------------------------------
// Each checker flags a minimal bad template and passes the matching good one
// ---------------------------------------------------------------------------------------------

/** A bad app the rule must flag, with what its violations must say. */
interface BadCase {
  readonly name: string;
  readonly app: SynthesizedApp;
  /** Every violation must match; at least one must exist. */
  readonly expect: RegExp;
}

interface CheckerCases {
  readonly rule: DeployRule;
  readonly bad: BadCase[];
  readonly good: SynthesizedApp;
}

const ACCOUNT_ROOT = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root']] };
const ROOT_KEY_STATEMENT = { Effect: 'Allow', Principal: { AWS: ACCOUNT_ROOT }, Action: 'kms:*', Resource: '*' };

function role(service: string, condition?: object): CfnResource {
  return { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: service }, ...(condition ? { Condition: condition } : {}) }] } } };
}

function rolePolicy(roleId: string, statements: object[]): CfnResource {
  return { Type: 'AWS::IAM::Policy', Properties: { Roles: [{ Ref: roleId }], PolicyDocument: { Statement: statements } } };
}

function key(statements: object[]): CfnResource {
  return { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: { Statement: [ROOT_KEY_STATEMENT, ...statements] } } };
}

function taskDefinition(properties: object, containers: object[] = [{ Name: 'app', Image: 'nginx', PortMappings: [{ ContainerPort: 8080 }] }]): CfnResource {
  return { Type: 'AWS::ECS::TaskDefinition', Properties: { ContainerDefinitions: containers, ...properties } };
}

const FARGATE_TASK = { RequiresCompatibilities: ['FARGATE'], NetworkMode: 'awsvpc', Cpu: '256', Memory: '512' };
const AWSVPC_CONFIGURATION = { AwsvpcConfiguration: { Subnets: ['subnet-1'] } };

/** A state machine whose one Task state calls the integration with these parameters (tokens joined in). */
function stateMachine(integration: string, parameters: Array<string | object>, roleId = 'MachineRole'): CfnResource {
  return {
    Type: 'AWS::StepFunctions::StateMachine',
    Properties: {
      RoleArn: { 'Fn::GetAtt': [roleId, 'Arn'] },
      DefinitionString: { 'Fn::Join': ['', [
        '{"StartAt":"Call","States":{"Call":{"Type":"Task","Resource":"arn:', { Ref: 'AWS::Partition' }, `:states:::${integration}","Parameters":{`,
        ...parameters,
        '},"End":true}}}',
      ]] },
    },
  };
}

// R15 -----------------------------------------------------------------------------------------
/** A state machine whose definition is `definition` (RunTask and StopTask resources in the partition). */
function timeoutMachine(definition: object): SynthesizedApp {
  const text = JSON.stringify(definition).replace(/"(ecs:runTask\.sync|aws-sdk:ecs:stopTask)"/g, (_m, r) => `"arn:aws:states:::${r}"`);
  return stackOf({ Machine: { Type: 'AWS::StepFunctions::StateMachine', Properties: { DefinitionString: text } } });
}
const RUN = (extra: object = {}) => ({ Type: 'Task', Resource: 'ecs:runTask.sync', TimeoutSeconds: 3600, End: true, ...extra });
const STOP = { Type: 'Task', Resource: 'aws-sdk:ecs:stopTask', Next: 'Notify' };
const NOTIFY = { Type: 'Pass', End: true };

// R1 ------------------------------------------------------------------------------------------
const CLOUDWATCH_PUBLISH = { Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: 'sns:Publish', Resource: { Ref: 'Topic' }, Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } };
const DENY_INSECURE = { Effect: 'Deny', Principal: '*', Action: 'sns:Publish', Resource: { Ref: 'Topic' }, Condition: { Bool: { 'aws:SecureTransport': 'false' } } };
const CLOUDWATCH_KEY = { Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'], Resource: '*', Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } };

function alarmTopic(options: { topicPolicy?: object[]; keyPolicy?: object[]; kmsMasterKeyId?: unknown; machinePolicy?: object[] }): SynthesizedApp {
  const resources: { [id: string]: CfnResource } = {
    Topic: { Type: 'AWS::SNS::Topic', Properties: options.keyPolicy ? { KmsMasterKeyId: { 'Fn::GetAtt': ['Key', 'Arn'] } } : options.kmsMasterKeyId ? { KmsMasterKeyId: options.kmsMasterKeyId } : {} },
    Alarm: { Type: 'AWS::CloudWatch::Alarm', Properties: { AlarmActions: [{ Ref: 'Topic' }], Threshold: 1 } },
  };
  if (options.keyPolicy) resources.Key = key(options.keyPolicy);
  if (options.topicPolicy) resources.TopicPolicy = { Type: 'AWS::SNS::TopicPolicy', Properties: { Topics: [{ Ref: 'Topic' }], PolicyDocument: { Statement: options.topicPolicy } } };
  if (options.machinePolicy) {
    resources.MachineRole = role('states.amazonaws.com');
    resources.MachineRolePolicy = rolePolicy('MachineRole', options.machinePolicy);
    resources.Machine = stateMachine('sns:publish', ['"TopicArn":"', { Ref: 'Topic' }, '","Message":"failed"']);
  }
  return stackOf(resources);
}

const SNS_PUBLISH_TOPIC = { Effect: 'Allow', Action: 'sns:Publish', Resource: { Ref: 'Topic' } };
const KMS_FOR_TOPIC = { Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey*'], Resource: { 'Fn::GetAtt': ['Key', 'Arn'] } };

// R3, R16 ---------------------------------------------------------------------------------------
function fargateService(extra: object = {}, dependsOn?: string[]): CfnResource {
  return {
    Type: 'AWS::ECS::Service',
    Properties: {
      Cluster: { Ref: 'Cluster' },
      TaskDefinition: { Ref: 'TaskDefinition' },
      CapacityProviderStrategy: [{ CapacityProvider: 'FARGATE', Weight: 1 }],
      NetworkConfiguration: AWSVPC_CONFIGURATION,
      ...extra,
    },
    ...(dependsOn ? { DependsOn: dependsOn } : {}),
  };
}

const CLUSTER = { Type: 'AWS::ECS::Cluster', Properties: {} };
const ASSOCIATION: CfnResource = { Type: 'AWS::ECS::ClusterCapacityProviderAssociations', Properties: { Cluster: { Ref: 'Cluster' }, CapacityProviders: ['FARGATE', 'FARGATE_SPOT'], DefaultCapacityProviderStrategy: [] } };

/** An EC2 capacity whose user data names the cluster, a daemon on it, and (optionally) a teardown custom resource. */
function ec2Capacity(options: { teardown: boolean; daemonDependsOn?: string[] }): SynthesizedApp {
  return stackOf({
    Cluster: CLUSTER,
    LaunchTemplate: { Type: 'AWS::EC2::LaunchTemplate', Properties: { LaunchTemplateData: { UserData: { 'Fn::Base64': { 'Fn::Join': ['', ['#!/bin/bash\necho ECS_CLUSTER=', { Ref: 'Cluster' }, ' >> /etc/ecs/ecs.config']] } } } } },
    Group: { Type: 'AWS::AutoScaling::AutoScalingGroup', Properties: { LaunchTemplate: { LaunchTemplateId: { Ref: 'LaunchTemplate' }, Version: { 'Fn::GetAtt': ['LaunchTemplate', 'LatestVersionNumber'] } }, MinSize: '1', MaxSize: '2' } },
    ...(options.teardown ? { Teardown: { Type: 'Custom::Ec2CapacityTeardown', Properties: { ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:teardown', AutoScalingGroupName: { Ref: 'Group' }, ClusterName: { Ref: 'Cluster' } } } } : {}),
    TaskDefinition: taskDefinition({ RequiresCompatibilities: ['EC2'], NetworkMode: 'bridge' }, [{ Name: 'agent', Image: 'otel', MemoryReservation: 256 }]),
    Daemon: { Type: 'AWS::ECS::Service', Properties: { Cluster: { Ref: 'Cluster' }, TaskDefinition: { Ref: 'TaskDefinition' }, LaunchType: 'EC2', SchedulingStrategy: 'DAEMON' }, DependsOn: ['Group', ...(options.daemonDependsOn ?? [])] },
  });
}

function platformAndServices(clusterReference: object, dependencies: { [stack: string]: string[] }): SynthesizedApp {
  return appOf({
    Platform: {
      Resources: { Cluster: CLUSTER, Association: ASSOCIATION },
      Outputs: { ClusterName: { Value: { Ref: 'Cluster' }, Export: { Name: 'Platform:ClusterName' } } },
    },
    Services: {
      Resources: {
        TaskDefinition: taskDefinition(FARGATE_TASK),
        Service: fargateService({ Cluster: clusterReference }),
      },
    },
  }, dependencies);
}

// R4 --------------------------------------------------------------------------------------------
function discoveryService(name: string, namespace: object): CfnResource {
  return { Type: 'AWS::ServiceDiscovery::Service', Properties: { Name: name, NamespaceId: namespace, DnsConfig: { NamespaceId: namespace, DnsRecords: [{ Type: 'A', TTL: 10 }] } } };
}
const NAMESPACE = { Type: 'AWS::ServiceDiscovery::PrivateDnsNamespace', Properties: { Name: 'internal', Vpc: 'vpc-1' } };
const NAMESPACE_ID = { 'Fn::GetAtt': ['Namespace', 'Id'] };

// R5 --------------------------------------------------------------------------------------------
function listenerRule(priority: number, hosts: string[], listener: object = { Ref: 'Listener' }): CfnResource {
  return {
    Type: 'AWS::ElasticLoadBalancingV2::ListenerRule',
    Properties: { ListenerArn: listener, Priority: priority, Actions: [{ Type: 'forward', TargetGroupArn: 'arn:tg' }], Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: hosts } }] },
  };
}
const LISTENER = { Type: 'AWS::ElasticLoadBalancingV2::Listener', Properties: { LoadBalancerArn: 'arn:lb', Port: 443 } };

// R6 --------------------------------------------------------------------------------------------
function targetGroup(properties: object): SynthesizedApp {
  return stackOf({ TargetGroup: { Type: 'AWS::ElasticLoadBalancingV2::TargetGroup', Properties: { Protocol: 'HTTP', Port: 8080, TargetType: 'ip', ...properties } } });
}

// R9 --------------------------------------------------------------------------------------------
const LOGS_PRINCIPAL = { Service: { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } };
const LOGS_CONDITION = { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':log-group:*']] } } };
const LOGS_ACTIONS = ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'];

function encryptedLogGroup(keyStatements: object[]): SynthesizedApp {
  return stackOf({ Key: key(keyStatements), LogGroup: { Type: 'AWS::Logs::LogGroup', Properties: { KmsKeyId: { 'Fn::GetAtt': ['Key', 'Arn'] } } } });
}

// R10 -------------------------------------------------------------------------------------------
function wafLogging(logGroupName: unknown, destination?: unknown): SynthesizedApp {
  return stackOf({
    LogGroup: { Type: 'AWS::Logs::LogGroup', Properties: logGroupName === undefined ? {} : { LogGroupName: logGroupName } },
    Logging: {
      Type: 'AWS::WAFv2::LoggingConfiguration',
      Properties: {
        ResourceArn: 'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/acl/1',
        LogDestinationConfigs: [destination ?? { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':log-group:', { Ref: 'LogGroup' }]] }],
      },
    },
  });
}

// R11, R22 --------------------------------------------------------------------------------------
function taskWithSecret(options: { keyPolicy?: object[]; executionPolicy: object[]; valueFrom?: unknown }): SynthesizedApp {
  return stackOf({
    Key: key(options.keyPolicy ?? []),
    Secret: { Type: 'AWS::SecretsManager::Secret', Properties: { KmsKeyId: { 'Fn::GetAtt': ['Key', 'Arn'] }, GenerateSecretString: {} } },
    ExecutionRole: role('ecs-tasks.amazonaws.com'),
    ExecutionRolePolicy: rolePolicy('ExecutionRole', options.executionPolicy),
    TaskDefinition: taskDefinition({ ...FARGATE_TASK, ExecutionRoleArn: { 'Fn::GetAtt': ['ExecutionRole', 'Arn'] } }, [{
      Name: 'app', Image: 'nginx',
      Secrets: [{ Name: 'DB_PASSWORD', ValueFrom: options.valueFrom ?? { 'Fn::Join': ['', [{ Ref: 'Secret' }, ':password::']] } }],
    }]),
  });
}
const GET_SECRET = { Effect: 'Allow', Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'], Resource: { Ref: 'Secret' } };
const VIA_SECRETS_MANAGER = { StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['secretsmanager.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } } };

// R12, R20 --------------------------------------------------------------------------------------
function schedule(roleResource: CfnResource, extra: object = {}, target: object = {}): SynthesizedApp {
  return stackOf({
    SchedulerRole: roleResource,
    Schedule: {
      Type: 'AWS::Scheduler::Schedule',
      Properties: {
        ScheduleExpression: 'cron(0 2 * * ? *)',
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: { Arn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:m', RoleArn: { 'Fn::GetAtt': ['SchedulerRole', 'Arn'] }, ...target },
        ...extra,
      },
    },
  });
}
const SCHEDULE_GROUP_ARN = (group: string): object => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':scheduler:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:schedule-group/${group}`]] });

// R17, R18, R19 ---------------------------------------------------------------------------------
function daemonWithRegistry(recordType: string, registry: object): SynthesizedApp {
  return stackOf({
    TaskDefinition: taskDefinition({ RequiresCompatibilities: ['EC2'], NetworkMode: 'host' }, [{ Name: 'app', Image: 'otel', MemoryReservation: 256, PortMappings: [{ ContainerPort: 4317, HostPort: 4317 }] }]),
    Discovery: { Type: 'AWS::ServiceDiscovery::Service', Properties: { Name: 'otel', DnsConfig: { DnsRecords: [{ Type: recordType, TTL: 60 }] } } },
    Service: { Type: 'AWS::ECS::Service', Properties: { Cluster: 'cluster', LaunchType: 'EC2', SchedulingStrategy: 'DAEMON', TaskDefinition: { Ref: 'TaskDefinition' }, ServiceRegistries: [{ RegistryArn: { 'Fn::GetAtt': ['Discovery', 'Arn'] }, ...registry }] } },
  });
}

function loadBalancedService(targetType: string | undefined, containerPort: number): SynthesizedApp {
  return stackOf({
    TaskDefinition: taskDefinition(FARGATE_TASK),
    TargetGroup: { Type: 'AWS::ElasticLoadBalancingV2::TargetGroup', Properties: { Protocol: 'HTTP', Port: 8080, ...(targetType ? { TargetType: targetType } : {}) } },
    Service: { Type: 'AWS::ECS::Service', Properties: { Cluster: 'cluster', LaunchType: 'FARGATE', TaskDefinition: { Ref: 'TaskDefinition' }, NetworkConfiguration: AWSVPC_CONFIGURATION, LoadBalancers: [{ ContainerName: 'app', ContainerPort: containerPort, TargetGroupArn: { Ref: 'TargetGroup' } }] } },
  });
}

function runTaskMachine(parameters: Array<string | object>, taskProperties: object = FARGATE_TASK): SynthesizedApp {
  return stackOf({
    Cluster: CLUSTER,
    Association: ASSOCIATION,
    TaskDefinition: { ...taskDefinition(taskProperties), Properties: { ...taskDefinition(taskProperties).Properties, Family: 'Family1' } },
    MachineRole: role('states.amazonaws.com'),
    Machine: stateMachine('ecs:runTask.sync', parameters),
  });
}

// R23 -----------------------------------------------------------------------------------------
/** A service with an advanced configuration; the production rule forwards with `weights` (blue, green). */
function shiftingService(deploymentConfiguration: object, weights: number[], testRule?: string): SynthesizedApp {
  const groups = ['Blue', 'Green'].slice(0, weights.length).map((id, i) => ({ TargetGroupArn: { Ref: id }, Weight: weights[i] }));
  const rule = (priority: number): CfnResource => ({ Type: 'AWS::ElasticLoadBalancingV2::ListenerRule', Properties: { Priority: priority, Actions: [{ Type: 'forward', ForwardConfig: { TargetGroups: groups } }] } });
  return stackOf({
    Blue: { Type: 'AWS::ElasticLoadBalancingV2::TargetGroup', Properties: {} },
    Green: { Type: 'AWS::ElasticLoadBalancingV2::TargetGroup', Properties: {} },
    ProdRule: rule(10),
    TestRule: rule(9),
    Service: fargateService({
      DeploymentConfiguration: deploymentConfiguration,
      LoadBalancers: [{
        TargetGroupArn: { Ref: 'Blue' }, ContainerName: 'app', ContainerPort: 8080,
        AdvancedConfiguration: { AlternateTargetGroupArn: { Ref: 'Green' }, ProductionListenerRule: { Ref: 'ProdRule' }, RoleArn: 'arn:aws:iam::123456789012:role/r', ...(testRule ? { TestListenerRule: { Ref: testRule } } : {}) },
      }],
    }),
  });
}

const CHECKERS: CheckerCases[] = [
  {
    rule: alarmTopicAcceptsCloudWatch,
    bad: [
      { name: 'a topic policy (only a TLS deny) without a cloudwatch.amazonaws.com grant', app: alarmTopic({ topicPolicy: [DENY_INSECURE] }), expect: /^Stack\/TopicPolicy: the topic policy of Topic \(notified by alarm Alarm\) replaces the default policy/ },
      { name: 'a cloudwatch.amazonaws.com grant without an aws:SourceAccount condition', app: alarmTopic({ topicPolicy: [DENY_INSECURE, { ...CLOUDWATCH_PUBLISH, Condition: undefined }] }), expect: /^Stack\/TopicPolicy: .*aws:SourceAccount/ },
      { name: 'a cloudwatch.amazonaws.com grant for another action', app: alarmTopic({ topicPolicy: [{ ...CLOUDWATCH_PUBLISH, Action: 'sns:Subscribe' }] }), expect: /^Stack\/TopicPolicy: / },
      { name: 'two topic policies on the alarm topic', app: stackOf({ ...alarmTopic({ topicPolicy: [CLOUDWATCH_PUBLISH] }).templates.Stack.Resources, OtherPolicy: { Type: 'AWS::SNS::TopicPolicy', Properties: { Topics: [{ Ref: 'Topic' }], PolicyDocument: { Statement: [CLOUDWATCH_PUBLISH] } } } }), expect: /^Stack\/Topic: 2 AWS::SNS::TopicPolicy resources/ },
      { name: 'a key policy without cloudwatch.amazonaws.com', app: alarmTopic({ topicPolicy: [CLOUDWATCH_PUBLISH], keyPolicy: [] }), expect: /^Stack\/Key: encrypts alarm topic Topic .*kms:Decrypt and kms:GenerateDataKey$/ },
      { name: 'a key policy letting cloudwatch.amazonaws.com decrypt only', app: alarmTopic({ keyPolicy: [{ ...CLOUDWATCH_KEY, Action: 'kms:Decrypt' }] }), expect: /^Stack\/Key: .*does not allow cloudwatch\.amazonaws\.com kms:GenerateDataKey$/ },
      { name: 'the AWS managed key alias/aws/sns', app: alarmTopic({ kmsMasterKeyId: 'alias/aws/sns' }), expect: /^Stack\/Topic: .*alias\/aws\/sns/ },
      { name: 'a state machine role without sns:Publish on the topic', app: alarmTopic({ keyPolicy: [CLOUDWATCH_KEY], machinePolicy: [KMS_FOR_TOPIC] }), expect: /^Stack\/Machine \(state Call\): publishes to topic Topic but role MachineRole has no sns:Publish/ },
      { name: 'a state machine role without the topic key', app: alarmTopic({ keyPolicy: [CLOUDWATCH_KEY], machinePolicy: [SNS_PUBLISH_TOPIC] }), expect: /^Stack\/Machine \(state Call\): .*kms:GenerateDataKey and kms:Decrypt on the key$/ },
    ],
    good: alarmTopic({ topicPolicy: [DENY_INSECURE, CLOUDWATCH_PUBLISH], keyPolicy: [CLOUDWATCH_KEY], machinePolicy: [SNS_PUBLISH_TOPIC, KMS_FOR_TOPIC] }),
  },
  {
    rule: batchTimeoutStopsTask,
    bad: [
      { name: 'a RunTask .sync state with a timeout and no catcher', app: timeoutMachine({ StartAt: 'Run', States: { Run: RUN() } }), expect: /^Stack\/Machine \(state Run\): times out after 3600 but nothing catches States\.Timeout/ },
      { name: 'a timeout caught by an enclosing Parallel that only notifies', app: timeoutMachine({ StartAt: 'Job', States: { Job: { Type: 'Parallel', Branches: [{ StartAt: 'Run', States: { Run: RUN() } }], Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Notify' }], End: true }, Notify: NOTIFY } }), expect: /^Stack\/Machine \(state Run\): the States\.Timeout catcher goes to Notify, which never reaches an aws-sdk:ecs:stopTask state/ },
      { name: 'a stopTask reachable only from a later catcher', app: timeoutMachine({ StartAt: 'Run', States: { Run: RUN({ Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Notify' }, { ErrorEquals: ['States.Timeout'], Next: 'Stop' }] }), Stop: STOP, Notify: NOTIFY } }), expect: /catcher goes to Notify/ },
    ],
    good: timeoutMachine({ StartAt: 'Job', States: {
      Job: { Type: 'Parallel', Branches: [{ StartAt: 'Run', States: { Run: RUN() } }], Catch: [{ ErrorEquals: ['States.Timeout'], Next: 'Find' }, { ErrorEquals: ['States.ALL'], Next: 'Notify' }], End: true },
      Find: { Type: 'Choice', Choices: [{ Variable: '$.x', IsPresent: true, Next: 'Stop' }], Default: 'Notify' },
      Stop: STOP,
      Notify: NOTIFY,
      Untimed: { Type: 'Task', Resource: 'arn:aws:states:::ecs:runTask.sync', End: true },
    } }),
  },
  {
    rule: fargateSpotPlatformVersion,
    bad: [
      { name: 'a service with FARGATE_SPOT weight 3 on an ARM64 task pinned to platform version 1.3.0', app: stackOf({ Cluster: CLUSTER, TaskDefinition: taskDefinition({ ...FARGATE_TASK, RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' } }), Service: fargateService({ PlatformVersion: '1.3.0', CapacityProviderStrategy: [{ CapacityProvider: 'FARGATE', Base: 1, Weight: 1 }, { CapacityProvider: 'FARGATE_SPOT', Weight: 3 }] }) }), expect: /^Stack\/Service: runs ARM64 task definition TaskDefinition on FARGATE_SPOT with platform version 1\.3\.0; it needs 1\.4\.0 or later/ },
      { name: 'a service with FARGATE_SPOT base 1 (weight 0) on an X86_64 task pinned to 1.2.0', app: stackOf({ TaskDefinition: taskDefinition({ ...FARGATE_TASK, RuntimePlatform: { CpuArchitecture: 'X86_64' } }), Service: fargateService({ PlatformVersion: '1.2.0', CapacityProviderStrategy: [{ CapacityProvider: 'FARGATE_SPOT', Base: 1, Weight: 0 }, { CapacityProvider: 'FARGATE', Weight: 1 }] }) }), expect: /X86_64 .* platform version 1\.2\.0; it needs 1\.3\.0 or later/ },
      { name: 'a RunTask state with FARGATE_SPOT on an ARM64 task pinned to 1.3.0', app: runTaskMachine(['"Cluster":"', { 'Fn::GetAtt': ['Cluster', 'Arn'] }, '","TaskDefinition":"Family1","PlatformVersion":"1.3.0","NetworkConfiguration":{"AwsvpcConfiguration":{"Subnets":["subnet-1"]}},"CapacityProviderStrategy":[{"CapacityProvider":"FARGATE_SPOT","Weight":1}]'], { ...FARGATE_TASK, RuntimePlatform: { CpuArchitecture: 'ARM64' } }), expect: /^Stack\/Machine \(state Call\): runs ARM64 task definition TaskDefinition on FARGATE_SPOT with platform version 1\.3\.0/ },
    ],
    good: stackOf({
      TaskDefinition: taskDefinition({ ...FARGATE_TASK, RuntimePlatform: { CpuArchitecture: 'X86_64' } }),
      ArmTaskDefinition: taskDefinition({ ...FARGATE_TASK, RuntimePlatform: { CpuArchitecture: 'ARM64' } }),
      Service: fargateService({ PlatformVersion: '1.3.0', CapacityProviderStrategy: [{ CapacityProvider: 'FARGATE', Base: 1, Weight: 1 }, { CapacityProvider: 'FARGATE_SPOT', Weight: 3 }] }),
      ArmService: fargateService({ TaskDefinition: { Ref: 'ArmTaskDefinition' }, CapacityProviderStrategy: [{ CapacityProvider: 'FARGATE', Weight: 1 }, { CapacityProvider: 'FARGATE_SPOT', Weight: 3 }] }),
      ArmLatest: fargateService({ TaskDefinition: { Ref: 'ArmTaskDefinition' }, PlatformVersion: 'LATEST', CapacityProviderStrategy: [{ CapacityProvider: 'FARGATE_SPOT', Weight: 1 }] }),
    }),
  },
  {
    rule: serviceDependsOnCapacityProviderAssociation,
    bad: [
      { name: 'a service without DependsOn on the association of its cluster', app: stackOf({ Cluster: CLUSTER, Association: ASSOCIATION, TaskDefinition: taskDefinition(FARGATE_TASK), Service: fargateService({}, ['TaskDefinition']) }), expect: /^Stack\/Service: uses capacity providers \[FARGATE\] of cluster Cluster but does not DependsOn Association/ },
      { name: 'a cross-stack service (Fn::ImportValue) whose stack does not depend on the platform stack', app: platformAndServices({ 'Fn::ImportValue': 'Platform:ClusterName' }, {}), expect: /^Services\/Service: .* of stack Platform \(Fn::ImportValue ClusterName\) but stack Services does not depend on stack Platform/ },
      { name: 'a cross-stack service (Fn::GetStackOutput) whose stack does not depend on the platform stack', app: platformAndServices({ 'Fn::GetStackOutput': { StackName: 'Platform', OutputName: 'ClusterName', Region: { Ref: 'AWS::Region' } } }, { Platform: [] }), expect: /Fn::GetStackOutput ClusterName\) but stack Services does not depend on stack Platform/ },
    ],
    good: appOf({
      ...platformAndServices({ 'Fn::ImportValue': 'Platform:ClusterName' }, {}).templates,
      Same: { Resources: { Cluster: CLUSTER, Association: ASSOCIATION, TaskDefinition: taskDefinition(FARGATE_TASK), Service: fargateService({}, ['Association', 'TaskDefinition']) } },
    }, { Services: ['Platform'] }),
  },
  {
    rule: ec2CapacityDeletesInOrder,
    bad: [
      { name: 'an Auto Scaling group of the cluster without a teardown custom resource', app: ec2Capacity({ teardown: false }), expect: /^Stack\/Group: its instances register with cluster Cluster, but no custom resource references both/ },
      { name: 'an EC2 daemon that does not depend on the teardown', app: ec2Capacity({ teardown: true }), expect: /^Stack\/Daemon: runs on the EC2 capacity of cluster Cluster but does not depend on Teardown/ },
    ],
    good: ec2Capacity({ teardown: true, daemonDependsOn: ['Teardown'] }),
  },
  {
    rule: uniqueDiscoveryNames,
    bad: [
      { name: 'two services named api in one namespace', app: stackOf({ Namespace: NAMESPACE, Api: discoveryService('api', NAMESPACE_ID), Daemon: discoveryService('api', NAMESPACE_ID) }), expect: /^Stack\/Api and Stack\/Daemon: 2 Cloud Map services named 'api' in namespace Stack\/Namespace/ },
      { name: 'names differing only by case in a DNS namespace', app: stackOf({ Namespace: NAMESPACE, Api: discoveryService('api', NAMESPACE_ID), Other: discoveryService('API', NAMESPACE_ID) }), expect: /named 'api'/ },
      { name: 'the same name in the namespace of another stack (Fn::ImportValue)', app: appOf({
        Platform: { Resources: { Namespace: NAMESPACE, Web: discoveryService('web', NAMESPACE_ID) }, Outputs: { NamespaceId: { Value: NAMESPACE_ID, Export: { Name: 'Platform:NamespaceId' } } } },
        Services: { Resources: { Web: discoveryService('web', { 'Fn::ImportValue': 'Platform:NamespaceId' }) } },
      }), expect: /^Platform\/Web and Services\/Web: 2 Cloud Map services named 'web' in namespace Platform\/Namespace/ },
    ],
    good: appOf({
      Platform: { Resources: { Namespace: NAMESPACE, Web: discoveryService('web', NAMESPACE_ID), Other: { Type: 'AWS::ServiceDiscovery::PrivateDnsNamespace', Properties: { Name: 'other' } }, WebElsewhere: discoveryService('web', { 'Fn::GetAtt': ['Other', 'Id'] }) }, Outputs: { NamespaceId: { Value: NAMESPACE_ID, Export: { Name: 'Platform:NamespaceId' } } } },
      Services: { Resources: { Api: discoveryService('api', { 'Fn::ImportValue': 'Platform:NamespaceId' }) } },
    }),
  },
  {
    rule: uniqueListenerRulePriorities,
    bad: [
      { name: 'two rules with priority 10 on one listener', app: stackOf({ Listener: LISTENER, Web: listenerRule(10, ['www.example.com']), Api: listenerRule(10, ['api.example.com']) }), expect: /^Stack\/Web and Stack\/Api: share Priority 10 on listener Stack\/Listener$/ },
      { name: 'the same priority on the listener of another stack (Fn::ImportValue)', app: appOf({
        Platform: { Resources: { Listener: LISTENER, Web: listenerRule(7, ['www.example.com']) }, Outputs: { ListenerArn: { Value: { Ref: 'Listener' }, Export: { Name: 'Platform:Listener' } } } },
        Services: { Resources: { Api: listenerRule(7, ['api.example.com'], { 'Fn::ImportValue': 'Platform:Listener' }) } },
      }), expect: /^Platform\/Web and Services\/Api: share Priority 7 on listener Platform\/Listener$/ },
      { name: 'priority 0', app: stackOf({ Listener: LISTENER, Web: listenerRule(0, ['www.example.com']) }), expect: /Priority 0 is outside 1\.\.50000/ },
      { name: 'priority 50001', app: stackOf({ Listener: LISTENER, Web: listenerRule(50001, ['www.example.com']) }), expect: /Priority 50001 is outside 1\.\.50000/ },
      { name: 'six condition values', app: stackOf({ Listener: LISTENER, Web: listenerRule(1, ['a.example.com', 'b.example.com', 'c.example.com', 'd.example.com', 'e.example.com', 'f.example.com']) }), expect: /^Stack\/Web: 6 condition values; a rule allows at most 5$/ },
    ],
    good: stackOf({ Listener: LISTENER, OtherListener: LISTENER, Web: listenerRule(10, ['a.example.com', 'b.example.com', 'c.example.com', 'd.example.com', 'e.example.com']), Api: listenerRule(11, ['api.example.com']), Elsewhere: listenerRule(10, ['x.example.com'], { Ref: 'OtherListener' }) }),
  },
  {
    rule: targetGroupHealthCheckTiming,
    bad: [
      { name: 'timeout equal to interval', app: targetGroup({ HealthCheckIntervalSeconds: 10, HealthCheckTimeoutSeconds: 10 }), expect: /HealthCheckTimeoutSeconds 10 must be less than HealthCheckIntervalSeconds 10/ },
      { name: 'timeout 30 against the default interval of 30', app: targetGroup({ HealthCheckTimeoutSeconds: 30 }), expect: /HealthCheckTimeoutSeconds 30 must be less than HealthCheckIntervalSeconds 30/ },
      { name: 'interval 400', app: targetGroup({ HealthCheckIntervalSeconds: 400 }), expect: /HealthCheckIntervalSeconds 400 is outside 5\.\.300/ },
      { name: 'healthy threshold 11', app: targetGroup({ HealthyThresholdCount: 11 }), expect: /HealthyThresholdCount 11 is outside 2\.\.10/ },
      { name: 'unhealthy threshold 1', app: targetGroup({ UnhealthyThresholdCount: 1 }), expect: /UnhealthyThresholdCount 1 is outside 2\.\.10/ },
    ],
    good: targetGroup({ HealthCheckIntervalSeconds: 10, HealthCheckTimeoutSeconds: 5, HealthyThresholdCount: 2, UnhealthyThresholdCount: 3 }),
  },
  {
    rule: fargateStopTimeout,
    bad: [
      { name: 'a Fargate container with StopTimeout 121', app: stackOf({ TaskDefinition: taskDefinition(FARGATE_TASK, [{ Name: 'app', Image: 'nginx', StopTimeout: 121 }]) }), expect: /^Stack\/TaskDefinition: container 'app' has StopTimeout 121 s; Fargate allows at most 120 s$/ },
    ],
    good: stackOf({
      TaskDefinition: taskDefinition(FARGATE_TASK, [{ Name: 'app', Image: 'nginx', StopTimeout: 120 }]),
      Ec2TaskDefinition: taskDefinition({ RequiresCompatibilities: ['EC2'] }, [{ Name: 'app', Image: 'nginx', Memory: 256, StopTimeout: 300 }]),
    }),
  },
  {
    rule: fargateTaskSize,
    bad: [
      { name: 'Cpu 512 with Memory 512', app: stackOf({ TaskDefinition: taskDefinition({ ...FARGATE_TASK, Cpu: '512', Memory: '512' }) }), expect: /Memory 512 MiB is not allowed with Cpu 512 on Fargate \(allowed: 1024\.\.4096 MiB/ },
      { name: 'Cpu 300', app: stackOf({ TaskDefinition: taskDefinition({ ...FARGATE_TASK, Cpu: '300', Memory: '1024' }) }), expect: /Cpu 300 is not a Fargate size/ },
      { name: 'Cpu 8192 with Memory 17408 (not a 4 GiB step)', app: stackOf({ TaskDefinition: taskDefinition({ ...FARGATE_TASK, Cpu: '8192', Memory: '17408' }) }), expect: /Memory 17408 MiB is not allowed with Cpu 8192/ },
      { name: 'no task-level Memory', app: stackOf({ TaskDefinition: taskDefinition({ RequiresCompatibilities: ['FARGATE'], NetworkMode: 'awsvpc', Cpu: '256' }) }), expect: /needs task-level Cpu and Memory/ },
      { name: 'a Windows task with 0.5 vCPU', app: stackOf({ TaskDefinition: taskDefinition({ ...FARGATE_TASK, Cpu: '512', Memory: '1024', RuntimePlatform: { OperatingSystemFamily: 'WINDOWS_SERVER_2022_CORE' } }) }), expect: /Windows tasks on Fargate need at least 1 vCPU/ },
    ],
    good: stackOf({
      Small: taskDefinition({ ...FARGATE_TASK, Cpu: '0.5 vCPU', Memory: '1 GB' }),
      Batch: taskDefinition({ ...FARGATE_TASK, Cpu: 1024, Memory: 2048 }),
      Large: taskDefinition({ ...FARGATE_TASK, Cpu: '16384', Memory: '122880' }),
    }),
  },
  {
    rule: logGroupKeyAllowsLogs,
    bad: [
      { name: 'a key policy without a CloudWatch Logs statement', app: encryptedLogGroup([]), expect: /^Stack\/Key: encrypts log group LogGroup but its key policy does not allow logs\.<region>\.amazonaws\.com kms:Encrypt\*, kms:Decrypt\*/ },
      { name: 'a CloudWatch Logs statement without the encryption context condition', app: encryptedLogGroup([{ Effect: 'Allow', Principal: LOGS_PRINCIPAL, Action: LOGS_ACTIONS, Resource: '*' }]), expect: /kms:EncryptionContext:aws:logs:arn condition$/ },
      { name: 'a CloudWatch Logs statement missing kms:ReEncrypt* and kms:Describe*', app: encryptedLogGroup([{ Effect: 'Allow', Principal: LOGS_PRINCIPAL, Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:GenerateDataKey*'], Resource: '*', Condition: LOGS_CONDITION }]), expect: /allow logs\.<region>\.amazonaws\.com kms:ReEncrypt\*, kms:Describe\* with/ },
      { name: 'the global logs.amazonaws.com principal', app: encryptedLogGroup([{ Effect: 'Allow', Principal: { Service: 'logs.amazonaws.com' }, Action: LOGS_ACTIONS, Resource: '*', Condition: LOGS_CONDITION }]), expect: /^Stack\/Key: encrypts log group LogGroup/ },
    ],
    good: stackOf({
      ...encryptedLogGroup([{ Effect: 'Allow', Principal: LOGS_PRINCIPAL, Action: LOGS_ACTIONS, Resource: '*', Condition: LOGS_CONDITION }]).templates.Stack.Resources,
      OtherKey: key([{ Effect: 'Allow', Principal: { Service: 'logs.eu-west-1.amazonaws.com' }, Action: 'kms:*', Resource: '*', Condition: { ArnEquals: { 'kms:EncryptionContext:aws:logs:arn': 'arn:aws:logs:eu-west-1:123456789012:log-group:app' } } }]),
      OtherLogGroup: { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: 'app', KmsKeyId: { 'Fn::GetAtt': ['OtherKey', 'Arn'] } } },
    }),
  },
  {
    rule: wafLogGroupName,
    bad: [
      { name: 'a log group with a generated name', app: wafLogging(undefined), expect: /^Stack\/Logging: logs to log group LogGroup, which has no LogGroupName/ },
      { name: 'a log group named waf-logs', app: wafLogging('waf-logs'), expect: /^Stack\/Logging: logs to log group LogGroup named 'waf-logs'; WAF needs a name starting with aws-waf-logs-$/ },
      { name: 'a literal log group ARN /aws/waf', app: wafLogging(undefined, 'arn:aws:logs:eu-west-1:123456789012:log-group:/aws/waf'), expect: /logs to log group '\/aws\/waf'/ },
    ],
    good: appOf({
      Stack: wafLogging({ 'Fn::Join': ['', ['aws-waf-logs-Stack-', { 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] }]] }).templates.Stack,
      Literal: wafLogging(undefined, 'arn:aws:logs:eu-west-1:123456789012:log-group:aws-waf-logs-app').templates.Stack,
    }),
  },
  {
    rule: executionRoleCanDecryptSecretKeys,
    bad: [
      { name: 'an execution role that may read the secret but not decrypt its key', app: taskWithSecret({ executionPolicy: [GET_SECRET] }), expect: /^Stack\/TaskDefinition: container 'app' secret DB_PASSWORD \(Secret\): execution role ExecutionRole may not kms:Decrypt the secret's key Key/ },
      { name: 'a key policy granting another role', app: taskWithSecret({ executionPolicy: [GET_SECRET], keyPolicy: [{ Effect: 'Allow', Principal: { AWS: { 'Fn::GetAtt': ['OtherRole', 'Arn'] } }, Action: 'kms:Decrypt', Resource: '*' }] }), expect: /may not kms:Decrypt/ },
      { name: 'an execution role without secretsmanager:GetSecretValue', app: taskWithSecret({ executionPolicy: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: { 'Fn::GetAtt': ['Key', 'Arn'] } }] }), expect: /execution role ExecutionRole has no secretsmanager:GetSecretValue on the secret$/ },
    ],
    good: appOf({
      ByKeyPolicy: taskWithSecret({ executionPolicy: [GET_SECRET], keyPolicy: [{ Effect: 'Allow', Principal: { AWS: { 'Fn::GetAtt': ['ExecutionRole', 'Arn'] } }, Action: 'kms:Decrypt', Resource: '*', Condition: VIA_SECRETS_MANAGER }] }).templates.Stack,
      ByRolePolicy: taskWithSecret({ executionPolicy: [GET_SECRET, { Effect: 'Allow', Action: 'kms:Decrypt', Resource: { 'Fn::GetAtt': ['Key', 'Arn'] } }] }).templates.Stack,
    }),
  },
  {
    rule: schedulerRoleTrust,
    bad: [
      { name: 'a target role trusting ecs-tasks.amazonaws.com', app: schedule(role('ecs-tasks.amazonaws.com')), expect: /^Stack\/Schedule: target role SchedulerRole does not trust scheduler\.amazonaws\.com/ },
      { name: 'an aws:SourceArn of the wrong shape', app: schedule(role('scheduler.amazonaws.com', { StringEquals: { 'aws:SourceArn': 'arn:aws:scheduler:eu-west-1:123456789012:schedule/default' } })), expect: /^Stack\/SchedulerRole: trust policy aws:SourceArn 'arn:aws:scheduler:eu-west-1:123456789012:schedule\/default' is not/ },
      { name: 'an aws:SourceArn of the states service', app: schedule(role('scheduler.amazonaws.com', { ArnLike: { 'aws:SourceArn': 'arn:aws:states:eu-west-1:123456789012:stateMachine:*' } })), expect: /is not arn:\.\.\.:scheduler/ },
      { name: 'an aws:SourceArn for another schedule group', app: schedule(role('scheduler.amazonaws.com', { StringEquals: { 'aws:SourceArn': SCHEDULE_GROUP_ARN('nightly') } })), expect: /allows schedule group 'nightly' but schedule Schedule is in group 'default'$/ },
    ],
    good: appOf({
      Default: schedule(role('scheduler.amazonaws.com', { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' }, 'aws:SourceArn': SCHEDULE_GROUP_ARN('default') } })).templates.Stack,
      Grouped: schedule(role('scheduler.amazonaws.com', { ArnLike: { 'aws:SourceArn': 'arn:aws:scheduler:eu-west-1:123456789012:schedule/night*/*' } }), { GroupName: 'nightly' }).templates.Stack,
    }),
  },
  {
    rule: deploymentAlarmsExist,
    bad: [
      { name: 'an alarm name of no alarm of the template', app: stackOf({ Service: fargateService({ DeploymentConfiguration: { Alarms: { AlarmNames: ['missing-alarm'], Enable: true, Rollback: true } } }) }), expect: /^Stack\/Service: deployment alarm missing-alarm is not an AWS::CloudWatch::Alarm of this template$/ },
      { name: 'a Ref to a resource that is not an alarm', app: stackOf({ Topic: { Type: 'AWS::SNS::Topic', Properties: {} }, Service: fargateService({ DeploymentConfiguration: { Alarms: { AlarmNames: [{ Ref: 'Topic' }], Enable: true, Rollback: true } } }) }), expect: /deployment alarm \$\{Topic\} is not/ },
    ],
    good: stackOf({
      Alarm: { Type: 'AWS::CloudWatch::Alarm', Properties: { Threshold: 1 } },
      Named: { Type: 'AWS::CloudWatch::Alarm', Properties: { AlarmName: 'api-5xx', Threshold: 1 } },
      Service: fargateService({ DeploymentConfiguration: { Alarms: { AlarmNames: [{ Ref: 'Alarm' }, 'api-5xx'], Enable: true, Rollback: true } } }),
      Plain: fargateService({ DeploymentConfiguration: { Alarms: { AlarmNames: [], Enable: false, Rollback: false } } }),
    }),
  },
  {
    rule: capacityProviderStrategyValid,
    bad: [
      { name: 'LaunchType and a strategy', app: stackOf({ Cluster: CLUSTER, Association: ASSOCIATION, Service: fargateService({ LaunchType: 'FARGATE' }) }), expect: /^Stack\/Service: has both LaunchType FARGATE and a CapacityProviderStrategy/ },
      { name: 'two providers with a base', app: stackOf({ Cluster: CLUSTER, Association: ASSOCIATION, Service: fargateService({ CapacityProviderStrategy: [{ CapacityProvider: 'FARGATE', Base: 1, Weight: 1 }, { CapacityProvider: 'FARGATE_SPOT', Base: 1, Weight: 1 }] }) }), expect: /2 capacity providers \(FARGATE, FARGATE_SPOT\) have a base; only one may/ },
      { name: 'no weight above 0', app: stackOf({ Cluster: CLUSTER, Association: ASSOCIATION, Service: fargateService({ CapacityProviderStrategy: [{ CapacityProvider: 'FARGATE', Base: 1, Weight: 0 }, { CapacityProvider: 'FARGATE_SPOT', Weight: 0 }] }) }), expect: /no capacity provider of \[FARGATE, FARGATE_SPOT\] has a weight > 0/ },
      { name: 'Fargate and an Auto Scaling group provider together', app: stackOf({ Cluster: CLUSTER, Provider: { Type: 'AWS::ECS::CapacityProvider', Properties: {} }, Association: { ...ASSOCIATION, Properties: { ...ASSOCIATION.Properties, CapacityProviders: ['FARGATE', { Ref: 'Provider' }] } }, Service: fargateService({ CapacityProviderStrategy: [{ CapacityProvider: 'FARGATE', Weight: 1 }, { CapacityProvider: { Ref: 'Provider' }, Weight: 1 }] }) }), expect: /mixes Fargate and Auto Scaling group capacity providers \[FARGATE, \$\{Provider\}\]/ },
      { name: 'FARGATE_SPOT not associated with the cluster', app: stackOf({ Cluster: CLUSTER, Association: { ...ASSOCIATION, Properties: { ...ASSOCIATION.Properties, CapacityProviders: ['FARGATE'] } }, Service: fargateService({ CapacityProviderStrategy: [{ CapacityProvider: 'FARGATE_SPOT', Weight: 1 }] }) }), expect: /^Stack\/Service: capacity provider FARGATE_SPOT is not associated with cluster Stack\/Cluster$/ },
      { name: 'a RunTask state with a provider the cluster lacks', app: runTaskMachine(['"Cluster":"', { 'Fn::GetAtt': ['Cluster', 'Arn'] }, '","TaskDefinition":"Family1","NetworkConfiguration":{"AwsvpcConfiguration":{"Subnets":["subnet-1"]}},"CapacityProviderStrategy":[{"CapacityProvider":"OTHER","Weight":1}]']), expect: /^Stack\/Machine \(state Call\): capacity provider OTHER is not associated with cluster Stack\/Cluster$/ },
    ],
    good: appOf({
      Platform: {
        Resources: { Cluster: CLUSTER, Provider: { Type: 'AWS::ECS::CapacityProvider', Properties: {} }, Association: { ...ASSOCIATION, Properties: { ...ASSOCIATION.Properties, CapacityProviders: ['FARGATE', 'FARGATE_SPOT', { Ref: 'Provider' }] } }, Service: fargateService({ CapacityProviderStrategy: [{ CapacityProvider: 'FARGATE', Base: 1, Weight: 1 }, { CapacityProvider: 'FARGATE_SPOT', Weight: 3 }] }) },
        Outputs: { ClusterName: { Value: { Ref: 'Cluster' }, Export: { Name: 'Platform:ClusterName' } }, ProviderName: { Value: { Ref: 'Provider' }, Export: { Name: 'Platform:ProviderName' } } },
      },
      Services: { Resources: { Daemon: fargateService({ Cluster: { 'Fn::ImportValue': 'Platform:ClusterName' }, CapacityProviderStrategy: [{ CapacityProvider: { 'Fn::ImportValue': 'Platform:ProviderName' }, Weight: 1 }] }) } },
      Batch: runTaskMachine(['"Cluster":"', { 'Fn::GetAtt': ['Cluster', 'Arn'] }, '","TaskDefinition":"Family1","NetworkConfiguration":{"AwsvpcConfiguration":{"Subnets":["subnet-1"]}},"CapacityProviderStrategy":[{"CapacityProvider":"FARGATE_SPOT","Weight":1}]']).templates.Stack,
    }, { Services: ['Platform'] }),
  },
  {
    rule: serviceRegistryMatchesNetworkMode,
    bad: [
      { name: 'a host-mode task with an A record and no container', app: daemonWithRegistry('A', {}), expect: /^Stack\/Service: service registry \$\{Discovery\.Arn\}: a host-mode task (needs ContainerName and ContainerPort|supports only SRV records, the Cloud Map service has A)$/ },
      { name: 'a host-mode registration of an unmapped port', app: daemonWithRegistry('SRV', { ContainerName: 'app', ContainerPort: 4318 }), expect: /container 'app' of TaskDefinition has no port mapping for ContainerPort 4318$/ },
      { name: 'a registration of an unknown container', app: daemonWithRegistry('SRV', { ContainerName: 'agent', ContainerPort: 4317 }), expect: /ContainerName 'agent' is not a container of TaskDefinition$/ },
      { name: 'an awsvpc SRV registration with both a container port and a port', app: stackOf({ TaskDefinition: taskDefinition(FARGATE_TASK), Discovery: { Type: 'AWS::ServiceDiscovery::Service', Properties: { DnsConfig: { DnsRecords: [{ Type: 'SRV', TTL: 10 }] } } }, Service: fargateService({ ServiceRegistries: [{ RegistryArn: { 'Fn::GetAtt': ['Discovery', 'Arn'] }, ContainerName: 'app', ContainerPort: 8080, Port: 8080 }] }) }), expect: /either ContainerName and ContainerPort, or Port, not both or neither$/ },
    ],
    good: appOf({
      Daemon: daemonWithRegistry('SRV', { ContainerName: 'app', ContainerPort: 4317 }).templates.Stack,
      Web: stackOf({ TaskDefinition: taskDefinition(FARGATE_TASK), Discovery: { Type: 'AWS::ServiceDiscovery::Service', Properties: { DnsConfig: { DnsRecords: [{ Type: 'A', TTL: 10 }] } } }, Service: fargateService({ ServiceRegistries: [{ RegistryArn: { 'Fn::GetAtt': ['Discovery', 'Arn'] } }] }) }).templates.Stack,
    }),
  },
  {
    rule: awsvpcNetworking,
    bad: [
      { name: 'a Fargate task definition in bridge mode', app: stackOf({ TaskDefinition: taskDefinition({ ...FARGATE_TASK, NetworkMode: 'bridge' }) }), expect: /^Stack\/TaskDefinition: a Fargate task definition must use NetworkMode awsvpc, has bridge$/ },
      { name: 'an awsvpc HostPort different from its ContainerPort', app: stackOf({ TaskDefinition: taskDefinition(FARGATE_TASK, [{ Name: 'app', Image: 'nginx', PortMappings: [{ ContainerPort: 8080, HostPort: 80 }] }]) }), expect: /maps HostPort 80 to ContainerPort 8080; in awsvpc mode they must be equal/ },
      { name: 'an awsvpc service without NetworkConfiguration', app: stackOf({ TaskDefinition: taskDefinition(FARGATE_TASK), Service: fargateService({ NetworkConfiguration: undefined }) }), expect: /^Stack\/Service: task definition TaskDefinition uses awsvpc but the service has no NetworkConfiguration/ },
      { name: 'an awsvpc RunTask state without NetworkConfiguration', app: runTaskMachine(['"Cluster":"', { 'Fn::GetAtt': ['Cluster', 'Arn'] }, '","TaskDefinition":"', { Ref: 'TaskDefinition' }, '","LaunchType":"FARGATE"']), expect: /^Stack\/Machine \(state Call\): task definition TaskDefinition uses awsvpc but RunTask has no NetworkConfiguration/ },
    ],
    good: appOf({
      Service: stackOf({ TaskDefinition: taskDefinition(FARGATE_TASK, [{ Name: 'app', Image: 'nginx', PortMappings: [{ ContainerPort: 8080, HostPort: 8080 }] }]), Service: fargateService() }).templates.Stack,
      Batch: runTaskMachine(['"Cluster":"', { 'Fn::GetAtt': ['Cluster', 'Arn'] }, '","TaskDefinition":"', { Ref: 'TaskDefinition' }, '","LaunchType":"FARGATE","NetworkConfiguration":{"AwsvpcConfiguration":{"Subnets":["subnet-1"]}}']).templates.Stack,
      Bridge: stackOf({ TaskDefinition: taskDefinition({ RequiresCompatibilities: ['EC2'] }, [{ Name: 'app', Image: 'nginx', Memory: 256, PortMappings: [{ ContainerPort: 8080, HostPort: 0 }] }]) }).templates.Stack,
    }),
  },
  {
    rule: loadBalancerTargetsMatchTasks,
    bad: [
      { name: 'an awsvpc service behind an instance (default) target group', app: loadBalancedService(undefined, 8080), expect: /^Stack\/Service: awsvpc tasks need target type ip, target group Stack\/TargetGroup has instance \(default\)$/ },
      { name: 'a load balancer port the container does not map', app: loadBalancedService('ip', 80), expect: /^Stack\/Service: load balancer ContainerPort 80 is not a port mapping of container 'app'$/ },
    ],
    good: loadBalancedService('ip', 8080),
  },
  {
    rule: schedulerRetryPolicyRange,
    bad: [
      { name: 'MaximumRetryAttempts 186', app: schedule(role('scheduler.amazonaws.com'), {}, { RetryPolicy: { MaximumRetryAttempts: 186 } }), expect: /MaximumRetryAttempts 186 is outside 0\.\.185/ },
      { name: 'MaximumEventAgeInSeconds 30', app: schedule(role('scheduler.amazonaws.com'), {}, { RetryPolicy: { MaximumEventAgeInSeconds: 30 } }), expect: /MaximumEventAgeInSeconds 30 is outside 60\.\.86400/ },
    ],
    good: schedule(role('scheduler.amazonaws.com'), {}, { RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 } }),
  },
  {
    rule: ec2ContainerMemory,
    bad: [
      { name: 'an EC2 container without memory in a task without task memory', app: stackOf({ TaskDefinition: taskDefinition({ RequiresCompatibilities: ['EC2'], NetworkMode: 'host' }, [{ Name: 'agent', Image: 'otel' }]) }), expect: /^Stack\/TaskDefinition: container 'agent' has neither Memory nor MemoryReservation/ },
      { name: 'a MemoryReservation above Memory', app: stackOf({ TaskDefinition: taskDefinition({ RequiresCompatibilities: ['EC2'] }, [{ Name: 'agent', Image: 'otel', Memory: 256, MemoryReservation: 512 }]) }), expect: /MemoryReservation 512 above its Memory 256$/ },
    ],
    good: stackOf({
      Reserved: taskDefinition({ RequiresCompatibilities: ['EC2'] }, [{ Name: 'agent', Image: 'otel', MemoryReservation: 256, Memory: 512 }]),
      TaskLevel: taskDefinition({ RequiresCompatibilities: ['EC2'], Memory: '512' }, [{ Name: 'agent', Image: 'otel' }]),
      Fargate: taskDefinition(FARGATE_TASK),
    }),
  },
  {
    rule: secretValueFromFormat,
    bad: [
      { name: 'a JSON key without version fields (Join)', app: taskWithSecret({ executionPolicy: [], valueFrom: { 'Fn::Join': ['', [{ Ref: 'Secret' }, ':password']] } }), expect: /^Stack\/TaskDefinition: container 'app' secret DB_PASSWORD valueFrom '\$\{Secret\}:password' must end in :json-key:version-stage:version-id/ },
      { name: 'a JSON key without version fields (literal ARN)', app: taskWithSecret({ executionPolicy: [], valueFrom: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf:password' }), expect: /valueFrom 'arn:aws:secretsmanager:.*:password' must end in/ },
    ],
    good: appOf({
      Join: taskWithSecret({ executionPolicy: [] }).templates.Stack,
      Whole: taskWithSecret({ executionPolicy: [], valueFrom: { Ref: 'Secret' } }).templates.Stack,
      Literal: taskWithSecret({ executionPolicy: [], valueFrom: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf:password:AWSCURRENT:' }).templates.Stack,
    }),
  },
  {
    rule: trafficShiftingListenerRules,
    bad: [
      { name: 'a canary without BakeTimeInMinutes', app: shiftingService({ Strategy: 'CANARY' }, [100, 0]), expect: /^Stack\/Service: Strategy CANARY without BakeTimeInMinutes bakes for CloudFormation's default of 36 hours$/ },
      { name: 'a production rule forwarding to one target group only', app: shiftingService({ Strategy: 'BLUE_GREEN', BakeTimeInMinutes: 5 }, [100]), expect: /^Stack\/ProdRule: the production rule of Service must forward to both its target groups/ },
      { name: 'a production rule with two non-zero weights', app: shiftingService({ Strategy: 'LINEAR', BakeTimeInMinutes: 5 }, [50, 50]), expect: /^Stack\/ProdRule: the production rule of Service must give exactly one of its two target groups a non-zero weight, has 50 and 50$/ },
      { name: 'the same rule as production and test rule', app: shiftingService({ Strategy: 'BLUE_GREEN', BakeTimeInMinutes: 5 }, [100, 0], 'ProdRule'), expect: /^Stack\/Service: TestListenerRule and ProductionListenerRule are the same rule/ },
    ],
    good: shiftingService({ Strategy: 'CANARY', BakeTimeInMinutes: 10, CanaryConfiguration: { CanaryPercent: 10, CanaryBakeTimeInMinutes: 5 } }, [100, 0], 'TestRule'),
  },
];

test('every rule but the placeholders has a checker test with a bad and a good template', () => {
  expect(CHECKERS.map((c) => c.rule.id).sort()).toEqual(ACTIVE_RULES.map((r) => r.id).sort());
  for (const { rule, bad } of CHECKERS) expect({ rule: rule.id, badCases: bad.length > 0 }).toEqual({ rule: rule.id, badCases: true });
});

describe.each(CHECKERS.map((c): [string, CheckerCases] => [c.rule.id, c]))('checker %s', (_id, { rule, bad, good }) => {
  test('names its AWS documentation page as "title — URL"', () => {
    for (const page of rule.docs.split('; ')) expect(page).toMatch(/^\S.* — https:\/\/\S+$/);
  });

  test.each(bad.map((b): [string, BadCase] => [b.name, b]))('flags %s', (_name, { app, expect: pattern }) => {
    const violations = rule.check(app);
    expect(violations.length).toBeGreaterThan(0);
    for (const violation of violations) expect(violation).toMatch(pattern);
  });

  test('passes the matching good template', () => {
    expect(rule.check(good)).toEqual([]);
  });
});

describe('checker helpers', () => {
  test('refTarget resolves Ref and Fn::GetAtt to logical ids, not pseudo parameters', () => {
    expect(refTarget({ Ref: 'Topic' })).toBe('Topic');
    expect(refTarget({ 'Fn::GetAtt': ['Key', 'Arn'] })).toBe('Key');
    expect(refTarget({ 'Fn::GetAtt': 'Key.Arn' })).toBe('Key');
    expect(refTarget({ Ref: 'AWS::Region' })).toBeUndefined();
    expect(refTarget('arn:aws:sns:eu-west-1:123456789012:topic')).toBeUndefined();
  });

  test('renderString renders joins, references and pseudo parameters', () => {
    expect(renderString({ 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] })).toBe('logs.${AWS::Region}.amazonaws.com');
    expect(renderString({ 'Fn::Join': [':', [{ 'Fn::GetAtt': ['Key', 'Arn'] }, 'x']] })).toBe('${Key.Arn}:x');
  });

  test('parses a DefinitionString joined from strings and tokens, inside and outside JSON strings', () => {
    const parsed = parseStateMachineDefinition({
      DefinitionString: { 'Fn::Join': ['', [
        '{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:', { Ref: 'AWS::Partition' }, ':states:::sns:publish","Parameters":{"TopicArn":"', { Ref: 'Topic' },
        '","Count":', { Ref: 'Count' }, '},"End":true}}}',
      ]] },
    });
    expect(parsed).toBeDefined();
    const state = parsed!.definition.States.A;
    expect(tokenOf(parsed!, state.Parameters.TopicArn)).toEqual({ Ref: 'Topic' });
    expect(tokenOf(parsed!, state.Parameters.Count)).toEqual({ Ref: 'Count' });
    expect(state.Resource).toMatch(/^arn:@@TOKEN\d+@@:states:::sns:publish$/);
  });
});
