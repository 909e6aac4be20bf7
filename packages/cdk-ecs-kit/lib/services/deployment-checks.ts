import { Duration } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { IConstruct } from 'constructs';
import type { WebDeployment } from './web-deployment';
import { fail, isDeployTimeValue } from '../core/validation';

/**
 * Synth-time checks of a FargateWebService's `deployment`, with the limits of
 * "AWS::ECS::Service DeploymentConfiguration" (CloudFormation Template Reference) and
 * "Amazon ECS canary deployments" / "Amazon ECS linear deployments" (ECS Developer Guide):
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-ecs-service-deploymentconfiguration.html
 */

/** Bake times (total and per step) are whole minutes from 0 to 1440. */
export const MAX_BAKE_MINUTES = 1440;

/**
 * CloudFormation rejects a canary or linear configuration whose bake times add up to more than
 * 33 hours (its operations time out at 36).
 */
export const MAX_TOTAL_BAKE_MINUTES = 33 * 60;

/** How many traffic steps a linear deployment takes: ceil(100 / stepPercent). */
export function linearSteps(stepPercent: number): number {
  return Math.ceil(100 / stepPercent - 1e-9);
}

/** The minutes a deployment bakes in total: step bakes plus the final bake. */
export function totalBakeMinutes(deployment: WebDeployment): number {
  const bake = deployment.bakeTime?.toMinutes({ integral: false }) ?? 0;
  const step = deployment.stepBakeTime?.toMinutes({ integral: false }) ?? 0;
  switch (deployment.strategy) {
    case ecs.DeploymentStrategy.CANARY: return bake + step;
    case ecs.DeploymentStrategy.LINEAR: return bake + step * linearSteps(deployment.stepPercent ?? 100);
    default: return bake;
  }
}

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,40}$/;

/** Checks every value of `deployment` against ECS's and ALB's documented limits. */
export function checkWebDeployment(scope: IConstruct, deployment: WebDeployment, hasIngress: boolean): void {
  if (!deployment.shiftsTraffic) return;
  const factory = `WebDeployment.${deployment.kind}()`;
  if (!hasIngress) {
    fail(
      scope,
      'deployment',
      `${factory} shifts traffic between two target groups of a load balancer, and no ingress was given.`,
      'Pass ingress, or use WebDeployment.rolling() (the default) for an internal service.',
    );
  }
  checkWholeMinutes(scope, 'deployment.bakeTime', deployment.bakeTime, factory);
  if (deployment.strategy === ecs.DeploymentStrategy.CANARY) {
    checkTenthPercent(scope, 'deployment.percent', deployment.stepPercent, 0.1, factory);
    checkWholeMinutes(scope, 'deployment.stepBakeTime', deployment.stepBakeTime, factory);
  }
  if (deployment.strategy === ecs.DeploymentStrategy.LINEAR) {
    checkTenthPercent(scope, 'deployment.stepPercent', deployment.stepPercent, 3, factory);
    checkWholeMinutes(scope, 'deployment.stepBakeTime', deployment.stepBakeTime, factory);
  }
  const unresolved = [deployment.bakeTime, deployment.stepBakeTime].some((d) => isDeployTimeValue(d))
    || (deployment.stepPercent !== undefined && isDeployTimeValue(deployment.stepPercent));
  if (!unresolved && deployment.strategy !== ecs.DeploymentStrategy.BLUE_GREEN) {
    const total = totalBakeMinutes(deployment);
    if (total > MAX_TOTAL_BAKE_MINUTES) {
      const formula = deployment.strategy === ecs.DeploymentStrategy.LINEAR
        ? `bakeTime + stepBakeTime x ${linearSteps(deployment.stepPercent!)} steps (ceil(100 / stepPercent))`
        : 'bakeTime + stepBakeTime';
      fail(
        scope,
        'deployment.bakeTime/stepBakeTime',
        `${factory}: ${formula} is ${total} minutes; CloudFormation allows at most ${MAX_TOTAL_BAKE_MINUTES} minutes (33 hours) in total.`,
        'Shorten bakeTime or stepBakeTime, or use fewer, larger steps.',
      );
    }
  }
  const header = deployment.testHeader;
  if (header) {
    if (!isDeployTimeValue(header.name) && !HEADER_NAME.test(header.name)) {
      fail(scope, 'deployment.testHeader.name', `'${header.name}' is not a valid HTTP header name for an ALB http-header condition.`,
        "Use 1-40 letters, digits or !#$%&'*+.^_`|~- (e.g. 'x-canary').");
    }
    if (!isDeployTimeValue(header.value) && (header.value.length < 1 || header.value.length > 128)) {
      fail(scope, 'deployment.testHeader.value', `must be 1-128 characters, got ${header.value.length}.`, "E.g. 'true'; ALB allows the wildcards '*' and '?'.");
    }
  }
}

function checkWholeMinutes(scope: IConstruct, prop: string, value: Duration | undefined, factory: string): void {
  if (value === undefined) {
    fail(scope, prop, `is required for ${factory}.`, 'Give it explicitly (e.g. Duration.minutes(10)): CloudFormation would otherwise bake for up to 36 hours.');
  }
  if (isDeployTimeValue(value)) return;
  const minutes = value.toMinutes({ integral: false });
  if (!Number.isInteger(minutes) || minutes < 0 || minutes > MAX_BAKE_MINUTES) {
    fail(scope, prop, `must be a whole number of minutes from 0 to ${MAX_BAKE_MINUTES} (24 hours), got ${minutes} minutes.`, 'E.g. Duration.minutes(10).');
  }
}

function checkTenthPercent(scope: IConstruct, prop: string, value: number | undefined, min: number, factory: string): void {
  if (value === undefined) fail(scope, prop, `is required for ${factory}.`);
  if (isDeployTimeValue(value)) return;
  const tenths = Math.round(value * 10);
  if (!(value >= min && value <= 100) || Math.abs(tenths - value * 10) > 1e-9) {
    fail(scope, prop, `must be from ${min} to 100 in steps of 0.1 for ${factory}, got ${value}.`);
  }
}
