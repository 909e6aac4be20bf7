import { Template } from 'aws-cdk-lib/assertions';
import { EcsPlatform } from '../lib';
import { formatFindings, newApp, newStack, synthWithCompliance } from './support/synth';
import { Stack } from 'aws-cdk-lib';

describe('EcsPlatform', () => {
  test('default platform has no compliance finding', () => {
    const app = newApp();
    new EcsPlatform(new Stack(app, 'S'), 'Platform');
    const result = synthWithCompliance(app);
    expect(formatFindings(result.findings)).toEqual([]);
  });

  test('creates a cluster with enhanced container insights', () => {
    const stack = newStack();
    new EcsPlatform(stack, 'Platform');
    Template.fromStack(stack).hasResourceProperties('AWS::ECS::Cluster', {
      ClusterSettings: [{ Name: 'containerInsights', Value: 'enhanced' }],
    });
  });
});
