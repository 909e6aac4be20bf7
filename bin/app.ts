#!/usr/bin/env node
import { App, Stack } from 'aws-cdk-lib';
import { EcsPlatform } from '../lib';
import { addCompliancePacks } from './compliance';

/**
 * The reference app: the workload of DESIGN.md on cdk-ecs-kit. `npx cdk synth` writes its
 * templates to cdk.out; any unacknowledged cdk-nag or CloudFormation-validator finding
 * fails the synth.
 */
export function buildReferenceApp(app: App): { platformStack: Stack } {
  // Environment-agnostic: synth needs no AWS credentials and no context lookups.
  const platformStack = new Stack(app, 'EcsKitPlatform', { description: 'cdk-ecs-kit reference app: shared ECS platform' });
  new EcsPlatform(platformStack, 'Platform');
  return { platformStack };
}

if (require.main === module) {
  const app = new App();
  addCompliancePacks(app);
  buildReferenceApp(app);
}
