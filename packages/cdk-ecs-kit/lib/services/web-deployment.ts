import { Duration } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type { HttpHeaderMatch } from '../ingress/web-ingress';

/**
 * Options every traffic-shifting deployment (canary, linear, blue/green) shares.
 */
export interface TrafficShiftingDeploymentOptions {
  /**
   * How long ECS keeps the old version running after all production traffic reached the new
   * one, ready to roll back on a deployment alarm. Whole minutes, 0 to 1440.
   *
   * Required: CloudFormation's default for these strategies is 36 hours, which would hold every
   * stack update for a day and a half.
   */
  readonly bakeTime: Duration;

  /**
   * A request header that sends matching requests to the new version before any production
   * traffic moves (a test listener rule: the service's host and path conditions plus this
   * header, evaluated just before the production rule). E.g. `{ name: 'x-canary', value: 'true' }`.
   *
   * @default - no test rule: the new version gets traffic only from the production shift
   */
  readonly testHeader?: HttpHeaderMatch;

  /**
   * Lifecycle hooks (e.g. `ecs.DeploymentLifecycleLambdaTarget`) ECS calls at deployment stages;
   * a hook that fails rolls the deployment back.
   *
   * @default - no hooks
   */
  readonly lifecycleHooks?: ecs.IDeploymentLifecycleHookTarget[];
}

/**
 * Options of a canary deployment: one slice of production traffic first, then all of it.
 */
export interface CanaryDeploymentOptions extends TrafficShiftingDeploymentOptions {
  /** The percentage of production traffic the new version gets first: 0.1 to 100, in steps of 0.1. */
  readonly percent: number;

  /**
   * How long the canary slice runs before the rest of the traffic moves. Whole minutes, 0 to
   * 1440. Required, like `bakeTime`: CloudFormation's defaults would apply otherwise.
   */
  readonly stepBakeTime: Duration;
}

/**
 * Options of a linear deployment: production traffic moves in equal steps.
 */
export interface LinearDeploymentOptions extends TrafficShiftingDeploymentOptions {
  /** The percentage of production traffic moved in each step: 3 to 100, in steps of 0.1. */
  readonly stepPercent: number;

  /**
   * How long each step runs before the next one. Whole minutes, 0 to 1440. Required, like
   * `bakeTime`: CloudFormation's defaults would apply otherwise.
   */
  readonly stepBakeTime: Duration;
}

/**
 * Options of a blue/green deployment: all production traffic moves at once.
 */
export interface BlueGreenDeploymentOptions extends TrafficShiftingDeploymentOptions {}

/**
 * How a FargateWebService rolls out a new version: ECS's rolling update (the default), or one of
 * ECS's native traffic-shifting strategies on the service's two target groups behind the shared
 * ingress (canary, linear, blue/green), each with an explicit bake time and automatic rollback on
 * the service's deployment alarms.
 */
export class WebDeployment {
  /** Replace tasks in place, at most doubling the service (ECS's rolling update). */
  public static rolling(): WebDeployment {
    return new WebDeployment(ecs.DeploymentStrategy.ROLLING, 'rolling');
  }

  /** Start the new version next to the old one, give it `percent` of the traffic for `stepBakeTime`, then all of it. */
  public static canary(options: CanaryDeploymentOptions): WebDeployment {
    return new WebDeployment(ecs.DeploymentStrategy.CANARY, 'canary', options, options.percent, options.stepBakeTime);
  }

  /** Start the new version next to the old one and move `stepPercent` of the traffic every `stepBakeTime`. */
  public static linear(options: LinearDeploymentOptions): WebDeployment {
    return new WebDeployment(ecs.DeploymentStrategy.LINEAR, 'linear', options, options.stepPercent, options.stepBakeTime);
  }

  /** Start the new version next to the old one, then move all traffic to it at once. */
  public static blueGreen(options: BlueGreenDeploymentOptions): WebDeployment {
    return new WebDeployment(ecs.DeploymentStrategy.BLUE_GREEN, 'blueGreen', options);
  }

  /** The ECS deployment strategy. */
  public readonly strategy: ecs.DeploymentStrategy;

  /** The factory this deployment was made with ('rolling', 'canary', 'linear' or 'blueGreen'), for messages. */
  public readonly kind: string;

  /**
   * How long the old version stays ready after the shift.
   *
   * @default - undefined for a rolling deployment
   */
  public readonly bakeTime?: Duration;

  /**
   * The canary percentage, or the linear step percentage.
   *
   * @default - undefined for rolling and blue/green deployments
   */
  public readonly stepPercent?: number;

  /**
   * How long each canary or linear step runs.
   *
   * @default - undefined for rolling and blue/green deployments
   */
  public readonly stepBakeTime?: Duration;

  /**
   * The header of the test listener rule.
   *
   * @default - no test rule
   */
  public readonly testHeader?: HttpHeaderMatch;

  /**
   * The lifecycle hooks.
   *
   * @default - none
   */
  public readonly lifecycleHooks?: ecs.IDeploymentLifecycleHookTarget[];

  private constructor(
    strategy: ecs.DeploymentStrategy,
    kind: string,
    options?: TrafficShiftingDeploymentOptions,
    stepPercent?: number,
    stepBakeTime?: Duration,
  ) {
    this.strategy = strategy;
    this.kind = kind;
    this.bakeTime = options?.bakeTime;
    this.testHeader = options?.testHeader;
    this.lifecycleHooks = options?.lifecycleHooks;
    this.stepPercent = stepPercent;
    this.stepBakeTime = stepBakeTime;
  }

  /** Whether ECS shifts traffic between two target groups (every strategy but rolling). */
  public get shiftsTraffic(): boolean {
    return this.strategy !== ecs.DeploymentStrategy.ROLLING;
  }
}
