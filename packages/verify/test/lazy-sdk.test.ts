describe('StackVerifier', () => {
  test('importing cdk-ecs-kit does not load the AWS SDK, so it adds nothing to every synth', () => {
    jest.isolateModules(() => {
      for (const client of ['@aws-sdk/client-ecs', '@aws-sdk/client-cloudformation', '@aws-sdk/client-application-auto-scaling']) {
        jest.doMock(client, () => {
          throw new Error(`${client} was loaded when the library was imported`);
        });
      }
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      expect(() => require('../src')).not.toThrow();
    });
  });
});
