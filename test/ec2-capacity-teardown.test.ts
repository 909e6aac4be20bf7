import { Environment, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Ec2DaemonService, EcsPlatform, FargateWebService, WebIngress } from '../packages/cdk-ecs-kit/lib';
import { formatFindings, FLAG_CONTEXTS, newAppInContext, newStack, synthWithCompliance } from './support/synth';

/*
 * The EC2 capacity teardown's handler, run as the Lambda runtime runs it: its source is read from
 * the synthesized template and evaluated with a stub `require` that stands in for the AWS SDK v3
 * clients the Node.js runtime provides and for `https`, through which it answers CloudFormation
 * on the pre-signed ResponseURL.
 */

/** One AWS API call the handler made: the command's name without `Command`, and its input. */
interface ApiCall {
  readonly api: string;
  readonly input: any;
}

/** What the handler sent to the pre-signed ResponseURL. */
interface CloudFormationAnswer {
  readonly url: string;
  readonly method: string;
  readonly headers: { [name: string]: unknown };
  readonly body: { Status: string; Reason?: string; PhysicalResourceId: string; StackId: string; RequestId: string; LogicalResourceId: string };
}

/** How the fake AWS answers one call: a value, or a thrown error. */
type FakeAws = (api: string, input: any) => any;

const STACK_ID = 'arn:aws:cloudformation:eu-west-1:123456789012:stack/Platform/0d1b5c30-0000-11ef-0000-0a1b2c3d4e5f';
const NESTED_STACK_ID = 'arn:aws:cloudformation:eu-west-1:123456789012:stack/Platform-CapacityNestedStack-1AB2CD3EF/5e6f7a80-0000-11ef-0000-0a1b2c3d4e5f';
const RESPONSE_URL = 'https://cloudformation-custom-resource-response-euwest1.s3.eu-west-1.amazonaws.com/arn%3Aaws%3Acloudformation/teardown?X-Amz-Signature=abc';

function teardownCode(): string {
  const stack = newStack();
  new EcsPlatform(stack, 'Platform', { ec2Capacity: { instanceType: new ec2.InstanceType('m7g.large') } });
  const codes = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'))
    .map((f) => f.Properties.Code.ZipFile)
    .filter((c): c is string => typeof c === 'string' && c.includes('DeleteAutoScalingGroupCommand'));
  expect(codes.length).toBeGreaterThan(0);
  return codes[0];
}

const CODE = teardownCode();

/** Runs the handler on `event` with the fake AWS; returns the API calls and the answer to CloudFormation. */
async function invoke(event: { [key: string]: unknown }, aws: FakeAws, options: { timeoutMs?: number } = {}) {
  const calls: ApiCall[] = [];
  const answers: CloudFormationAnswer[] = [];
  const logs: string[] = [];
  let clock = 0;
  const timeoutMs = options.timeoutMs ?? 15 * 60 * 1000;

  class FakeClient {
    public async send(command: { api: string; input: any }) {
      calls.push({ api: command.api, input: command.input });
      return aws(command.api, command.input);
    }
  }
  const commandClass = (name: string) => class {
    public readonly api = name.replace(/Command$/, '');
    constructor(public readonly input: any) {}
  };
  const sdk = new Proxy({}, {
    get: (_target, key) => {
      if (typeof key !== 'string') return undefined;
      if (key.endsWith('Client')) return FakeClient;
      if (key.endsWith('Command')) return commandClass(key);
      return undefined;
    },
  });
  const https = {
    request(url: string, requestOptions: { method: string; headers: { [name: string]: unknown } }, callback: (res: unknown) => void) {
      const listeners: { [event: string]: (arg?: unknown) => void } = {};
      return {
        on(name: string, fn: (arg?: unknown) => void) { listeners[name] = fn; return this; },
        end(body: string) {
          answers.push({ url, method: requestOptions.method, headers: requestOptions.headers, body: JSON.parse(body) });
          const res = {
            statusCode: 200,
            resume() { return res; },
            on(name: string, fn: () => void) { if (name === 'end') fn(); return res; },
          };
          callback(res);
        },
      };
    },
  };
  const stubRequire = (name: string) => {
    if (name.startsWith('@aws-sdk/client-')) return sdk;
    if (name === 'https') return https;
    throw new Error(`the handler requires ${name}, which the Lambda Node.js runtime does not provide`);
  };
  const fakeSetTimeout = (fn: () => void, ms: number) => { clock += ms; fn(); };
  const fakeConsole = { log: (...args: unknown[]) => logs.push(args.map(String).join(' ')), error: (...args: unknown[]) => logs.push(args.map(String).join(' ')) };
  const exported: { [name: string]: any } = {};
  new Function('exports', 'require', 'setTimeout', 'console', CODE)(exported, stubRequire, fakeSetTimeout, fakeConsole);

  const context = {
    getRemainingTimeInMillis: () => timeoutMs - clock,
    logGroupName: '/cdk-ecs-kit/teardown',
    logStreamName: '2026/12/03/[$LATEST]0123456789abcdef',
  };
  await exported.handler(event, context);
  return { calls, answers, logs, elapsedMs: clock };
}

function request(requestType: 'Create' | 'Update' | 'Delete', extra: { [key: string]: unknown } = {}) {
  return {
    RequestType: requestType,
    ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:Platform-PlatformEc2CapacityTeardownProvid-AbCdEf',
    ResponseURL: RESPONSE_URL,
    StackId: STACK_ID,
    RequestId: '5b4e6c1a-1111-2222-3333-444455556666',
    LogicalResourceId: 'PlatformEc2CapacityTeardown616F5D07',
    ResourceType: 'Custom::Ec2CapacityTeardown',
    ResourceProperties: { ServiceToken: 'arn:aws:lambda:...', AutoScalingGroupName: 'Platform-Ec2AutoScalingGroup-XYZ', ClusterName: 'Platform-Cluster-ABC' },
    ...(requestType === 'Create' ? {} : { PhysicalResourceId: 'ec2-capacity-teardown' }),
    ...extra,
  };
}

/** A fake AWS where the stack is in `status` and the cluster lists `instances` until they are deregistered. */
function awsWithStackIn(status: string, instances: string[] = ['arn:aws:ecs:eu-west-1:123456789012:container-instance/Platform-Cluster-ABC/1111']) {
  let registered = [...instances];
  return (api: string, input: any) => {
    switch (api) {
      case 'DescribeStacks': return { Stacks: [{ StackId: input.StackName, StackName: 'Platform', StackStatus: status }] };
      case 'DeleteAutoScalingGroup': return {};
      case 'ListContainerInstances': return { containerInstanceArns: registered };
      case 'DeregisterContainerInstance':
        registered = registered.filter((arn) => arn !== input.containerInstance);
        return { containerInstance: { containerInstanceArn: input.containerInstance, status: 'INACTIVE' } };
      default: throw new Error(`unexpected call ${api}`);
    }
  };
}

const GROUP_OR_INSTANCE_CALLS = ['DeleteAutoScalingGroup', 'ListContainerInstances', 'DeregisterContainerInstance'];

describe('Ec2CapacityTeardown handler', () => {
  test('answers Create with SUCCESS and a fixed physical id, touching nothing', async () => {
    const { calls, answers } = await invoke(request('Create'), awsWithStackIn('CREATE_IN_PROGRESS'));
    expect(calls).toEqual([]);
    expect(answers).toHaveLength(1);
    expect(answers[0].body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'ec2-capacity-teardown' });
  });

  // crpg-ref-responses.html: a PhysicalResourceId that differs on Update is a replacement, and CloudFormation then sends Delete to the old one.
  test('answers Update with SUCCESS and the same physical id (so CloudFormation never replaces it), touching nothing', async () => {
    const { calls, answers } = await invoke(request('Update', { PhysicalResourceId: 'ec2-capacity-teardown' }), awsWithStackIn('UPDATE_IN_PROGRESS'));
    expect(calls).toEqual([]);
    expect(answers[0].body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'ec2-capacity-teardown' });
  });

  test('answers on the pre-signed ResponseURL with a PUT naming the stack, request and logical id, with an empty content type', async () => {
    const event = request('Create');
    const { answers } = await invoke(event, awsWithStackIn('CREATE_IN_PROGRESS'));
    expect(answers[0].url).toBe(RESPONSE_URL);
    expect(answers[0].method).toBe('PUT');
    // The URL is signed with no content type; any other value fails the signature.
    expect(answers[0].headers['content-type']).toBe('');
    expect(answers[0].body).toMatchObject({ StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId });
  });

  test('on Delete in stack deletion (DELETE_IN_PROGRESS) force-deletes the group, then deregisters the instances until none is left', async () => {
    const instances = ['arn:aws:ecs:eu-west-1:123456789012:container-instance/Platform-Cluster-ABC/1111', 'arn:aws:ecs:eu-west-1:123456789012:container-instance/Platform-Cluster-ABC/2222'];
    const { calls, answers } = await invoke(request('Delete'), awsWithStackIn('DELETE_IN_PROGRESS', instances));
    expect(calls[0]).toEqual({ api: 'DescribeStacks', input: { StackName: STACK_ID } });
    expect(calls).toContainEqual({ api: 'DeleteAutoScalingGroup', input: { AutoScalingGroupName: 'Platform-Ec2AutoScalingGroup-XYZ', ForceDelete: true } });
    for (const containerInstance of instances) {
      expect(calls).toContainEqual({ api: 'DeregisterContainerInstance', input: { cluster: 'Platform-Cluster-ABC', containerInstance, force: true } });
    }
    expect(calls[calls.length - 1].api).toBe('ListContainerInstances');
    expect(answers).toHaveLength(1);
    expect(answers[0].body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'ec2-capacity-teardown' });
  });

  test('on Delete during the rollback of a failed first create (ROLLBACK_IN_PROGRESS) tears down too: the whole stack goes away', async () => {
    const { calls, answers } = await invoke(request('Delete'), awsWithStackIn('ROLLBACK_IN_PROGRESS'));
    expect(calls.map((c) => c.api)).toContain('DeleteAutoScalingGroup');
    expect(answers[0].body.Status).toBe('SUCCESS');
  });

  test.each([
    ['during an update rollback', 'UPDATE_ROLLBACK_IN_PROGRESS'],
    ['during the cleanup after a replacement or a removal', 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS'],
    ['during the cleanup after an update rollback', 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS'],
    ['during an import rollback', 'IMPORT_ROLLBACK_IN_PROGRESS'],
  ])('on Delete %s (%s) leaves the group and its instances alone and answers SUCCESS', async (_name, status) => {
    const { calls, answers, logs } = await invoke(request('Delete'), awsWithStackIn(status));
    expect(calls).toEqual([{ api: 'DescribeStacks', input: { StackName: STACK_ID } }]);
    expect(calls.filter((c) => GROUP_OR_INSTANCE_CALLS.includes(c.api))).toEqual([]);
    expect(answers[0].body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'ec2-capacity-teardown' });
    expect(logs.join('\n')).toContain(status);
  });

  test('in a nested stack asks about the nested stack (the request\'s own StackId), not its parent', async () => {
    const { calls } = await invoke(request('Delete', { StackId: NESTED_STACK_ID }), awsWithStackIn('UPDATE_COMPLETE_CLEANUP_IN_PROGRESS'));
    expect(calls).toEqual([{ api: 'DescribeStacks', input: { StackName: NESTED_STACK_ID } }]);
  });

  test('when DescribeStacks fails, leaves the group alone and answers FAILED with a readable reason', async () => {
    const { calls, answers } = await invoke(request('Delete'), (api) => {
      if (api === 'DescribeStacks') throw Object.assign(new Error('User is not authorized to perform: cloudformation:DescribeStacks'), { name: 'AccessDenied' });
      throw new Error(`unexpected call ${api}`);
    });
    expect(calls.map((c) => c.api)).toEqual(['DescribeStacks']);
    expect(answers[0].body.Status).toBe('FAILED');
    expect(answers[0].body.Reason).toMatch(/could not read the status of stack .*Platform.*AccessDenied.*not authorized.*left alone/i);
    expect(answers[0].body.PhysicalResourceId).toBe('ec2-capacity-teardown');
  });

  test('a group that is already gone is not an error: it goes on to deregister the instances', async () => {
    const fake = awsWithStackIn('DELETE_IN_PROGRESS');
    const { calls, answers } = await invoke(request('Delete'), (api, input) => {
      if (api === 'DeleteAutoScalingGroup') throw Object.assign(new Error('AutoScalingGroup name not found - Platform-Ec2AutoScalingGroup-XYZ'), { name: 'ValidationError' });
      return fake(api, input);
    });
    expect(calls.map((c) => c.api)).toContain('DeregisterContainerInstance');
    expect(answers[0].body.Status).toBe('SUCCESS');
  });

  test('a cluster that is already gone ends the teardown with SUCCESS', async () => {
    const { answers } = await invoke(request('Delete'), (api) => {
      if (api === 'DescribeStacks') return { Stacks: [{ StackStatus: 'DELETE_IN_PROGRESS' }] };
      if (api === 'DeleteAutoScalingGroup') return {};
      throw Object.assign(new Error('Cluster not found.'), { name: 'ClusterNotFoundException' });
    });
    expect(answers[0].body.Status).toBe('SUCCESS');
  });

  test('an error it cannot get past (e.g. access denied on the group) answers FAILED with the error, instead of never answering', async () => {
    const fake = awsWithStackIn('DELETE_IN_PROGRESS');
    const { answers } = await invoke(request('Delete'), (api, input) => {
      if (api === 'DeleteAutoScalingGroup') throw Object.assign(new Error('User is not authorized to perform: autoscaling:DeleteAutoScalingGroup'), { name: 'AccessDenied' });
      return fake(api, input);
    });
    expect(answers).toHaveLength(1);
    expect(answers[0].body.Status).toBe('FAILED');
    expect(answers[0].body.Reason).toMatch(/AccessDenied.*autoscaling:DeleteAutoScalingGroup/);
  });

  test('waits at most within its own timeout: instances that never leave are answered FAILED, naming them, before the function is stopped', async () => {
    const stuck = 'arn:aws:ecs:eu-west-1:123456789012:container-instance/Platform-Cluster-ABC/3333';
    const timeoutMs = 15 * 60 * 1000;
    const { calls, answers, elapsedMs } = await invoke(request('Delete'), (api) => {
      if (api === 'DescribeStacks') return { Stacks: [{ StackStatus: 'DELETE_IN_PROGRESS' }] };
      if (api === 'ListContainerInstances') return { containerInstanceArns: [stuck] };
      return {};
    }, { timeoutMs });
    expect(answers).toHaveLength(1);
    expect(answers[0].body.Status).toBe('FAILED');
    expect(answers[0].body.Reason).toMatch(/1 container instance.*still registered.*Platform-Cluster-ABC.*3333/);
    expect(answers[0].body.Reason).toMatch(/delete the stack again/i);
    expect(elapsedMs).toBeLessThan(timeoutMs);
    // It kept trying for most of its time (polling every 15 seconds), not a single round.
    expect(elapsedMs).toBeGreaterThan(10 * 60 * 1000);
    expect(calls.filter((c) => c.api === 'ListContainerInstances').length).toBeGreaterThan(40);
  });

  // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-responses.html: "The total size of the response body can't exceed 4096 bytes."
  test('keeps its answer within the 4096 bytes CloudFormation accepts, even with many stuck instances', async () => {
    const stuck = Array.from({ length: 300 }, (_, i) => `arn:aws:ecs:eu-west-1:123456789012:container-instance/Platform-Cluster-ABC/${String(i).padStart(32, '0')}`);
    const { answers } = await invoke(request('Delete'), (api) => {
      if (api === 'DescribeStacks') return { Stacks: [{ StackStatus: 'DELETE_IN_PROGRESS' }] };
      if (api === 'ListContainerInstances') return { containerInstanceArns: stuck };
      return {};
    }, { timeoutMs: 60 * 1000 });
    expect(answers[0].body.Status).toBe('FAILED');
    expect(Buffer.byteLength(JSON.stringify(answers[0].body))).toBeLessThan(4096);
  });
});

describe('Ec2CapacityTeardown in a platform', () => {
  test('keeps the logical ids of an earlier release, so an upgrade updates the function in place and never sends Delete to the old handler', () => {
    // From test/__snapshots__/examples.test.ts.snap (examples/daemon-agent) of the release with the
    // provider framework: the custom resource, and the framework's onEvent function whose ARN is its
    // ServiceToken. CloudFormation refuses to change a ServiceToken ("Updates aren't supported",
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-cfn-customresource.html;
    // the update fails with "Modifying service token is not allowed"), and a new logical id would
    // delete the old resource through the old provider's handler, which force-deleted the group on
    // any Delete.
    const RELEASED_CUSTOM_RESOURCE = 'PlatformEc2CapacityTeardown616F5D07';
    const RELEASED_SERVICE_TOKEN_FUNCTION = 'PlatformEc2CapacityTeardownProviderframeworkonEvent4725BD3D';
    const RELEASED_LOG_GROUP = 'PlatformEc2CapacityTeardownLogGroupD226378D';
    const stack = newStack('Example');
    new EcsPlatform(stack, 'Platform', { ec2Capacity: { instanceType: new ec2.InstanceType('m7g.large') } });
    const resources = Template.fromStack(stack).toJSON().Resources;
    expect(resources[RELEASED_CUSTOM_RESOURCE]).toMatchObject({
      Type: 'Custom::Ec2CapacityTeardown',
      Properties: { ServiceToken: { 'Fn::GetAtt': [RELEASED_SERVICE_TOKEN_FUNCTION, 'Arn'] } },
    });
    // An in-place update: no FunctionName, which would replace the function (and change its ARN).
    expect(resources[RELEASED_SERVICE_TOKEN_FUNCTION]).toMatchObject({ Type: 'AWS::Lambda::Function', Properties: { Handler: 'index.handler' } });
    expect(resources[RELEASED_SERVICE_TOKEN_FUNCTION].Properties.FunctionName).toBeUndefined();
    expect(resources[RELEASED_LOG_GROUP]).toMatchObject({ Type: 'AWS::Logs::LogGroup', DeletionPolicy: 'Retain' });
  });

  test('a platform with EC2 capacity, its ingress and 34 host-routed web services fits one stack (< 500 resources)', () => {
    const stack = newStack('Platform');
    const platform = new EcsPlatform(stack, 'Platform', { ec2Capacity: { instanceType: new ec2.InstanceType('m7g.large') } });
    const certificate = acm.Certificate.fromCertificateArn(stack, 'Certificate', 'arn:aws:acm:eu-west-1:123456789012:certificate/11111111-2222-3333-4444-555555555555');
    const ingress = new WebIngress(stack, 'Ingress', { platform, certificate });
    const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx-unprivileged:stable');
    for (let i = 0; i < 34; i++) {
      new FargateWebService(stack, `Service${i}`, {
        platform, ingress, hostHeaders: [`s${i}.example.com`],
        container: { image, user: '101', port: 8080, healthCheckPath: '/healthz' },
        cpu: 512, memoryMiB: 1024,
        autoScaling: { minCapacity: 2, maxCapacity: 10, targetCpuPercent: 60, requestsPerTarget: 500 },
        discoveryName: `s${i}`,
      });
    }
    const count = Object.keys(Template.fromStack(stack).toJSON().Resources).length;
    // 498 with this teardown (4 resources); 512 with the provider framework's (18). 500 is CloudFormation's limit per stack.
    expect(count).toBeLessThan(500);
  });

  /** One platform with EC2 capacity and a daemon per environment: agnostic, region only, account and region, and China. */
  const ENVIRONMENTS: Array<[string, Environment | undefined]> = [
    ['Agnostic', undefined],
    ['RegionOnly', { region: 'eu-west-1' }],
    ['AccountAndRegion', { account: '123456789012', region: 'eu-west-1' }],
    ['China', { account: '123456789012', region: 'cn-north-1' }],
  ];

  test.each(Object.keys(FLAG_CONTEXTS))('passes the nag packs, Control Tower and the validator with %s in every environment', (flags) => {
    const app = newAppInContext(FLAG_CONTEXTS[flags]);
    for (const [name, env] of ENVIRONMENTS) {
      const stack = new Stack(app, name, { env });
      const platform = new EcsPlatform(stack, 'Platform', { ec2Capacity: { instanceType: new ec2.InstanceType('m7g.large') } });
      // A user and a memory limit, as the README asks of a daemon (Control Tower CT.ECS.PR.3 and PR.7).
      new Ec2DaemonService(stack, 'Agent', { platform, container: { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/aws-observability/aws-otel-collector:v0.40.0'), user: '10001' }, memoryLimitMiB: 512 });
    }
    const result = synthWithCompliance(app);
    expect(result.error).toBeUndefined();
    expect(formatFindings(result.findings)).toEqual([]);
    // The group ARN's acknowledgment matched in every environment, rendered as cdk-nag renders it there.
    const groupArnAcks = result.acknowledged.filter((a) => a.rule.includes('IAM5') && a.rule.includes('autoScalingGroup'));
    expect(groupArnAcks.map((a) => a.paths.map((p) => p.split('/')[0])).flat().sort()).toEqual(ENVIRONMENTS.map(([name]) => name).sort());
    expect(groupArnAcks.map((a) => a.rule).find((r) => r.includes('cn-north-1'))).toContain(':autoscaling:cn-north-1:123456789012:autoScalingGroup:*:');
    expect(result.acknowledged.filter((a) => a.paths.some((p) => p.includes('Ec2CapacityTeardown'))).every((a) => a.reason.length > 40)).toBe(true);
  });
});
