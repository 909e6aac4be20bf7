import { Lazy } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import {
  checkCapacityBounds,
  checkDnsLabel,
  checkFargateTaskSize,
  checkPercent,
  checkPositiveSeconds,
  FARGATE_TASK_SIZES,
} from '../packages/cdk-ecs-kit/lib/core/validation';
import { newStack } from './support/synth';

function scope(): Construct {
  return new Construct(newStack(), 'Web');
}

describe('validation', () => {
  describe('Fargate task sizes', () => {
    test.each(FARGATE_TASK_SIZES.flatMap((row) => row.memoryMiB.map((memory) => [row.cpu, memory])))(
      'accepts cpu %p with %p MiB', (cpu, memory) => {
        expect(() => checkFargateTaskSize(scope(), cpu, memory)).not.toThrow();
      });

    test('rejects a CPU size Fargate does not offer, listing the sizes it does', () => {
      expect(() => checkFargateTaskSize(scope(), 768, 2048)).toThrow(
        '[TestStack/Web] cpu: 768 is not a Fargate CPU size. Use one of 256, 512, 1024, 2048, 4096, 8192, 16384 (CPU units; 1024 = 1 vCPU).',
      );
    });

    test.each([
      [256, 4096, 'With cpu 256, use 512, 1024 or 2048 MiB.'],
      [512, 512, 'With cpu 512, use 1024 to 4096 in steps of 1024 MiB.'],
      [1024, 1536, 'With cpu 1024, use 2048 to 8192 in steps of 1024 MiB.'],
      [8192, 18432, 'With cpu 8192, use 16384 to 61440 in steps of 4096 MiB.'],
      [16384, 16384, 'With cpu 16384, use 32768 to 122880 in steps of 8192 MiB.'],
    ])('rejects cpu %p with %p MiB and says which memory sizes fit', (cpu, memory, allowed) => {
      expect(() => checkFargateTaskSize(scope(), cpu, memory)).toThrow(`memoryMiB: ${memory} MiB is not allowed with cpu ${cpu} on Fargate. ${allowed}`);
    });

    test('skips values only known at deploy time', () => {
      const cpu = Lazy.number({ produce: () => 300 });
      expect(() => checkFargateTaskSize(scope(), cpu, 1)).not.toThrow();
    });
  });

  test('capacity bounds: min above max names both props', () => {
    expect(() => checkCapacityBounds(scope(), 'autoScaling.minCapacity', 10, 'autoScaling.maxCapacity', 2)).toThrow(
      '[TestStack/Web] autoScaling.minCapacity: (10) must not be greater than autoScaling.maxCapacity (2). Raise autoScaling.maxCapacity or lower autoScaling.minCapacity.',
    );
  });

  test('capacity bounds: negative values are rejected', () => {
    expect(() => checkCapacityBounds(scope(), 'min', -1, 'max', 2)).toThrow('min: must be an integer from 0 to 5000, got -1.');
  });

  test.each([0, -5, 100.5, 150])('percent %p is outside (0, 100]', (value) => {
    expect(() => checkPercent(scope(), 'autoScaling.targetCpuPercent', value)).toThrow(`autoScaling.targetCpuPercent: must be greater than 0 and at most 100, got ${value}.`);
  });

  test.each(['api', 'orders-v2', 'a', 'x'.repeat(63)])('accepts the DNS label %p', (label) => {
    expect(() => checkDnsLabel(scope(), 'discoveryName', label)).not.toThrow();
  });

  test.each(['Api', 'api_v2', '-api', 'api-', 'x'.repeat(64), 'a.b', ''])('rejects the DNS label %p', (label) => {
    expect(() => checkDnsLabel(scope(), 'discoveryName', label)).toThrow(/discoveryName: '.*' is not a valid DNS label\. Use 1-63 lower-case letters/);
  });

  test('zero seconds is not a positive duration', () => {
    expect(() => checkPositiveSeconds(scope(), 'timeout', 0)).toThrow('timeout: must be longer than 0 seconds, got 0 seconds.');
  });
});
