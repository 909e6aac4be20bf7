// Platform: the shared ground every workload stands on.
export * from './platform/ecs-platform';
export * from './ingress/web-ingress';
// How one container is described (the code that applies it is internal).
export type { ContainerSpec } from './workload/container-spec';
// Workloads, and the task size props they share.
export type { TaskSizeProps } from './workload/task-size';
export * from './workload/service-connect';
export * from './services/fargate-web-service';
export * from './services/web-deployment';
export * from './services/ec2-daemon-service';
export * from './batch/batch-task-schedule';
// What the validation plugins found at synth, one line per plugin.
export * from './core/compliance-report';
