import { Service } from '@aws-sdk/client-ecs';
import { classifyAwsError } from '../src/aws-errors';
import { failureEvents, isSettling, rolloutOf } from '../src/checks';
import { VerifyProblemKind } from '../src/report';
import { parseServiceArn } from '../src/stack-inventory';
import { DEPLOYED_AT, healthyService, rollingOutService } from './fixtures';

function withEvent(message: string, minutesAfterDeploy = 1): Service {
  return healthyService('api', {
    events: [{ id: 'x', createdAt: new Date(DEPLOYED_AT.getTime() + minutesAfterDeploy * 60_000), message }],
  });
}

describe('failure events', () => {
  test.each([
    '(service api) (deployment ecs-svc/2) deployment failed: tasks failed to start.',
    '(service api) (deployment ecs-svc/2) deployment failed: alarm detected.',
    '(service api) rolling back to deployment ecs-svc/1.',
    '(service api) was unable to place a task because no container instance met all of its requirements.',
    '(service api) is unable to place a task in Availability Zone eu-west-1a because no container instance met all of its requirements.',
    '(service api) failed to launch a task with (error ECS was unable to assume the role).',
    '(service api) is unable to consistently start tasks successfully.',
    '(service api) was unable to place a task. Reason: CannotPullContainerError: pull image manifest has been retried 5 time(s).',
    '(service api) was unable to place a task. Reason: ResourceInitializationError: unable to pull secrets or registry auth.',
  ])('counts "%s"', message => {
    expect(failureEvents(withEvent(message))).toHaveLength(1);
  });

  test.each([
    '(service api) has reached a steady state.',
    '(service api) has started 2 tasks: (task a) (task b).',
    '(service api) (deployment ecs-svc/2) deployment completed.',
    '(service api) registered 2 targets in (target-group arn:aws:elasticloadbalancing:...)',
  ])('ignores "%s"', message => {
    expect(failureEvents(withEvent(message))).toHaveLength(0);
  });

  test('counts a rollback event written up to a minute before the PRIMARY (rollback) deployment was created', () => {
    expect(failureEvents(withEvent('(service api) rolling back to deployment ecs-svc/1.', -0.5))).toHaveLength(1);
  });

  test('ignores failure events older than that', () => {
    expect(failureEvents(withEvent('(service api) rolling back to deployment ecs-svc/1.', -5))).toHaveLength(0);
  });
});

describe('rollout state', () => {
  test('without a rolloutState, a single deployment at its desired count is complete', () => {
    const service = healthyService('api');
    const { rolloutState, rolloutStateReason, ...deployment } = service.deployments![0];
    expect(rolloutOf({ ...service, deployments: [deployment] })).toEqual({
      state: 'COMPLETED',
      observed: 'no rolloutState; 1 deployment, primary 2 running of 2',
    });
  });

  test('a task-set (CODE_DEPLOY) service is complete when its one PRIMARY task set is in steady state', () => {
    const service = healthyService('api', {
      deploymentController: { type: 'CODE_DEPLOY' },
      deployments: [],
      taskSets: [{ id: 'ecs-svc/1', status: 'PRIMARY', stabilityStatus: 'STEADY_STATE', createdAt: DEPLOYED_AT }],
    });
    expect(rolloutOf(service).state).toBe('COMPLETED');
  });

  test('keeps waiting while a rollout is in progress or tasks are still starting, not after a failure', () => {
    expect(isSettling(rollingOutService('api'))).toBe(true);
    expect(isSettling(healthyService('api', { runningCount: 1 }))).toBe(true);
    expect(isSettling(healthyService('api'))).toBe(false);
    const failed = healthyService('api');
    expect(isSettling({ ...failed, deployments: [{ ...failed.deployments![0], rolloutState: 'FAILED' }] })).toBe(false);
  });
});

describe('service ARNs', () => {
  test('reads cluster and name from a service ARN', () => {
    expect(parseServiceArn('arn:aws:ecs:eu-west-1:111122223333:service/prod/api', () => undefined))
      .toEqual({ cluster: 'prod', serviceName: 'api' });
  });

  test('takes the cluster from the template for an old-format ARN without one', () => {
    expect(parseServiceArn('arn:aws:ecs:eu-west-1:111122223333:service/api', () => 'prod'))
      .toEqual({ cluster: 'prod', serviceName: 'api' });
  });
});

describe('AWS error classification', () => {
  const context = { stackName: 'WebStack', region: 'eu-west-1' };

  test('an unreachable endpoint is a network problem that mentions AWS_ENDPOINT_URL', () => {
    const error = Object.assign(new Error('getaddrinfo ENOTFOUND cloudformation.eu-west-1.amazonaws.com'), { code: 'ENOTFOUND' });
    const problem = classifyAwsError(error, context);
    expect(problem.kind).toBe(VerifyProblemKind.NETWORK);
    expect(problem.message).toContain('AWS_ENDPOINT_URL');
  });

  test('an HTTP 429 is throttling whatever its code', () => {
    const error = Object.assign(new Error('Too Many Requests'), { name: 'SomethingElse', $metadata: { httpStatusCode: 429 } });
    expect(classifyAwsError(error, context).kind).toBe(VerifyProblemKind.THROTTLED);
  });

  test('any other error is reported with its name and message', () => {
    const problem = classifyAwsError(Object.assign(new Error('boom'), { name: 'ServerException' }), context);
    expect(problem).toEqual({ kind: VerifyProblemKind.AWS_ERROR, message: 'AWS call failed: ServerException: boom' });
  });
});
