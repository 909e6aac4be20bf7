import { Readable } from 'node:stream';
import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { CloudFormationClient, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { ECSClient } from '@aws-sdk/client-ecs';
import { VerifyProblemKind } from '../src/report';
import { clientConfig, DEFAULT_MAX_ATTEMPTS, verifyStack } from '../src/verify';
import { REGION, STACK } from './fixtures';

// aws-sdk-client-mock replaces Client#send, which skips the SDK's retry middleware. These
// tests use real clients with a fake HTTP handler instead, so the SDK's own retry runs.

interface FakeResponse { readonly status: number; readonly body: string }

/** An HTTP handler answering CloudFormation's query protocol with canned XML responses, in order. */
function fakeHttp(responses: FakeResponse[]) {
  let calls = 0;
  return {
    get calls() { return calls; },
    handle: async () => {
      const r = responses[Math.min(calls++, responses.length - 1)];
      return { response: { statusCode: r.status, headers: { 'content-type': 'text/xml' }, body: Readable.from([Buffer.from(r.body)]) } };
    },
  };
}

const NS = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';
const THROTTLED: FakeResponse = {
  status: 400,
  body: `<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>r1</RequestId></ErrorResponse>`,
};
const ONE_SERVICE: FakeResponse = {
  status: 200,
  body: `<ListStackResourcesResponse xmlns="${NS}"><ListStackResourcesResult><StackResourceSummaries><member>`
    + '<LogicalResourceId>ApiService</LogicalResourceId><PhysicalResourceId>arn:aws:ecs:eu-west-1:111122223333:service/prod/api</PhysicalResourceId>'
    + '<ResourceType>AWS::ECS::Service</ResourceType><ResourceStatus>CREATE_COMPLETE</ResourceStatus>'
    + '<LastUpdatedTimestamp>2025-01-01T00:00:00Z</LastUpdatedTimestamp></member></StackResourceSummaries>'
    + `</ListStackResourcesResult><ResponseMetadata><RequestId>r2</RequestId></ResponseMetadata></ListStackResourcesResponse>`,
};
const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };

describe('AWS client configuration', () => {
  test('retries a throttled request with the SDK retry, then succeeds', async () => {
    const http = fakeHttp([THROTTLED, ONE_SERVICE]);
    const client = new CloudFormationClient({ ...clientConfig({ region: REGION }), credentials: CREDENTIALS, requestHandler: http });

    const answer = await client.send(new ListStackResourcesCommand({ StackName: STACK }));

    expect(http.calls).toBe(2);
    expect(answer.$metadata.attempts).toBe(2);
    expect(answer.StackResourceSummaries?.[0].LogicalResourceId).toBe('ApiService');
  });

  test('reports THROTTLED with exit 2 once the SDK retries are used up', async () => {
    const http = fakeHttp([THROTTLED]);
    const config = { ...clientConfig({ region: REGION, maxAttempts: 2 }), credentials: CREDENTIALS, requestHandler: http };
    const clients = {
      cloudFormation: new CloudFormationClient(config),
      ecs: new ECSClient(config),
      applicationAutoScaling: new ApplicationAutoScalingClient(config),
    };

    const report = await verifyStack({ stackName: STACK }, clients);

    expect(http.calls).toBe(2);
    expect(report).toMatchObject({ exitCode: 2, error: { kind: VerifyProblemKind.THROTTLED } });
    expect(report.error?.message).toContain('(cloudformation:DescribeStacks) after 2 attempts');
  });

  test(`makes ${DEFAULT_MAX_ATTEMPTS} attempts per request unless AWS_MAX_ATTEMPTS is set`, () => {
    const saved = process.env.AWS_MAX_ATTEMPTS;
    try {
      delete process.env.AWS_MAX_ATTEMPTS;
      expect(clientConfig({}).maxAttempts).toBe(DEFAULT_MAX_ATTEMPTS);
      process.env.AWS_MAX_ATTEMPTS = '3';
      expect(clientConfig({}).maxAttempts).toBeUndefined();
      expect(clientConfig({ maxAttempts: 5 }).maxAttempts).toBe(5);
    } finally {
      if (saved === undefined) delete process.env.AWS_MAX_ATTEMPTS;
      else process.env.AWS_MAX_ATTEMPTS = saved;
    }
  });

  test('passes region and profile to the SDK only when given, leaving the rest to the standard AWS environment', () => {
    expect(Object.keys(clientConfig({ maxAttempts: 3 }))).toEqual(['maxAttempts']);
    expect(clientConfig({ region: 'us-east-2', profile: 'deploy', maxAttempts: 3 }))
      .toEqual({ region: 'us-east-2', profile: 'deploy', maxAttempts: 3 });
  });
});
