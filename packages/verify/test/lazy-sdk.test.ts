const SDK_CLIENTS = ['@aws-sdk/client-ecs', '@aws-sdk/client-cloudformation', '@aws-sdk/client-application-auto-scaling', '@aws-sdk/client-elastic-load-balancing-v2'];

describe('cdk-ecs-kit-verify', () => {
  test('importing the package does not load the AWS SDK: StackVerifier loads it on first verify', () => {
    jest.isolateModules(() => {
      for (const client of SDK_CLIENTS) {
        jest.doMock(client, () => {
          throw new Error(`${client} was loaded when cdk-ecs-kit-verify was imported`);
        });
      }
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const verify: typeof import('cdk-ecs-kit-verify') = require('cdk-ecs-kit-verify');
      expect(() => new verify.StackVerifier({ stackName: 'WebStack' })).not.toThrow();
    });
  });
});
