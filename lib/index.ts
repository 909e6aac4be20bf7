export * from './platform/ecs-platform';
export * from './container/container-spec';
export * from './verify';
