import { App, RemovalPolicies, Stack, StackProps } from 'aws-cdk-lib';

/**
 * A stack for one integration test case.
 *
 * Everything in it is destroyed with the stack: cdk-ecs-kit retains log groups and KMS keys
 * by default (logs are evidence), which would leave orphans in the test account after every
 * integ-runner run.
 */
export function integStack(app: App, id: string, props: StackProps = {}): Stack {
  const stack = new Stack(app, id, {
    description: `cdk-ecs-kit integration test ${id}; safe to delete`,
    ...props,
  });
  RemovalPolicies.of(stack).destroy();
  return stack;
}
