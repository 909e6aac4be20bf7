import { Duration } from 'aws-cdk-lib';
import { StackVerifier, VerifyReport } from '../src';
import { DEFAULT_POLL_INTERVAL_MS, verifyStack } from '../src/verify';

jest.mock('../src/verify', () => ({
  ...jest.requireActual('../src/verify'),
  verifyStack: jest.fn(),
}));
const verifyStackMock = verifyStack as jest.MockedFunction<typeof verifyStack>;

const REPORT = { stack: 'WebStack', ok: true } as unknown as VerifyReport;

describe('StackVerifier', () => {
  beforeEach(() => {
    verifyStackMock.mockReset();
    verifyStackMock.mockResolvedValue(REPORT);
  });

  test('checks once, every 15 s when waiting, with the SDK defaults, when only the stack is given', async () => {
    await expect(new StackVerifier({ stackName: 'WebStack' }).verify()).resolves.toBe(REPORT);
    expect(verifyStackMock).toHaveBeenCalledWith({
      stackName: 'WebStack',
      region: undefined,
      profile: undefined,
      waitMs: 0,
      pollIntervalMs: DEFAULT_POLL_INTERVAL_MS,
      maxAttempts: undefined,
    });
  });

  test('passes region, profile, wait, poll interval and attempts through, with aws-cdk-lib Durations', async () => {
    await new StackVerifier({
      stackName: 'WebStack',
      region: 'eu-west-1',
      profile: 'ci',
      wait: Duration.minutes(10),
      pollInterval: Duration.seconds(5),
      maxAttempts: 4,
    }).verify();
    expect(verifyStackMock).toHaveBeenCalledWith({
      stackName: 'WebStack',
      region: 'eu-west-1',
      profile: 'ci',
      waitMs: 600_000,
      pollIntervalMs: 5_000,
      maxAttempts: 4,
    });
  });

  test('takes any duration with toMilliseconds(), so callers need not install aws-cdk-lib', async () => {
    await new StackVerifier({ stackName: 'WebStack', wait: { toMilliseconds: () => 90_000 } }).verify();
    expect(verifyStackMock).toHaveBeenCalledWith(expect.objectContaining({ waitMs: 90_000 }));
  });

  test('rejects an empty stack name', () => {
    expect(() => new StackVerifier({ stackName: '' })).toThrow('StackVerifier: stackName is required (the CloudFormation stack name or ARN).');
  });

  test.each([0, 2.5])('rejects maxAttempts %p', (maxAttempts) => {
    expect(() => new StackVerifier({ stackName: 'WebStack', maxAttempts })).toThrow(`StackVerifier: maxAttempts must be a whole number of at least 1, got ${maxAttempts}.`);
  });
});
