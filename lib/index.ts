export * from './platform/ecs-platform';
export * from './container/container-spec';
export * from './verify';
export * from './services/ec2-daemon-service';
export * from './batch/batch-task-schedule';
