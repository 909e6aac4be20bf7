import { Duration } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type { HttpHeaderMatch } from '../ingress/web-ingress';

/**
 * Options of a rolling deployment.
 */
export interface RollingDeploymentOptions {
  /**
   * Keeps the second target group of a service that used a traffic-shifting deployment (canary,
   * linear, blue/green), and registers every task in both groups.
   *
   * ECS leaves production in whichever group it shifted to last, so after an odd number of
   * traffic-shifting deployments it is the alternate one; a plain `rolling()` would delete that
   * group and forward to the other, empty one. Leave a traffic-shifting strategy in two deploys:
   * first `rolling({ keepAlternateTargetGroup: true })` (the listener rule is left as it is and
   * the rolling deployment fills both groups), then `rolling()` (the rule forwards to the primary
   * group, which by then holds every task, and the alternate one is deleted). See the README,
   * "Updating safely".
   *
   * @default false - a rolling service has one target group
   */
  readonly keepAlternateTargetGroup?: boolean;
}

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
  /**
   * Replace tasks in place, at most doubling the service (ECS's rolling update). To leave canary,
   * linear or blue/green, deploy `rolling({ keepAlternateTargetGroup: true })` first.
   */
  public static rolling(options: RollingDeploymentOptions = {}): WebDeployment {
    return new WebDeployment(ecs.DeploymentStrategy.ROLLING, 'rolling', undefined, undefined, undefined, options.keepAlternateTargetGroup ?? false);
  }

  /**
   * Start the new version next to the old one, give it `percent` of the traffic for `stepBakeTime`, then all of it.
   * To leave this strategy later, see `RollingDeploymentOptions.keepAlternateTargetGroup`.
   */
  public static canary(options: CanaryDeploymentOptions): WebDeployment {
    return new WebDeployment(ecs.DeploymentStrategy.CANARY, 'canary', options, options.percent, options.stepBakeTime);
  }

  /**
   * Start the new version next to the old one and move `stepPercent` of the traffic every
   * `stepBakeTime`. To leave this strategy later, see `RollingDeploymentOptions.keepAlternateTargetGroup`.
   */
  public static linear(options: LinearDeploymentOptions): WebDeployment {
    return new WebDeployment(ecs.DeploymentStrategy.LINEAR, 'linear', options, options.stepPercent, options.stepBakeTime);
  }

  /**
   * Start the new version next to the old one, then move all traffic to it at once. To leave
   * this strategy later, see `RollingDeploymentOptions.keepAlternateTargetGroup`.
   */
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

  /** Whether a rolling deployment keeps the alternate target group of an earlier traffic-shifting one. */
  public readonly keepAlternateTargetGroup: boolean;

  private constructor(
    strategy: ecs.DeploymentStrategy,
    kind: string,
    options?: TrafficShiftingDeploymentOptions,
    stepPercent?: number,
    stepBakeTime?: Duration,
    keepAlternateTargetGroup: boolean = false,
  ) {
    this.strategy = strategy;
    this.kind = kind;
    this.bakeTime = options?.bakeTime;
    this.testHeader = options?.testHeader;
    this.lifecycleHooks = options?.lifecycleHooks;
    this.stepPercent = stepPercent;
    this.stepBakeTime = stepBakeTime;
    this.keepAlternateTargetGroup = keepAlternateTargetGroup;
  }

  /** Whether ECS shifts traffic between two target groups (every strategy but rolling). */
  public get shiftsTraffic(): boolean {
    return this.strategy !== ecs.DeploymentStrategy.ROLLING;
  }

  /** Whether the service has two target groups: a traffic-shifting deployment, or a rolling one keeping the alternate group. */
  public get hasAlternateTargetGroup(): boolean {
    return this.shiftsTraffic || this.keepAlternateTargetGroup;
  }
}
