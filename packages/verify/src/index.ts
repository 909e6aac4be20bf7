// The jsii-compatible surface only. verifyStack() and the CLI take AWS SDK clients,
// which jsii cannot represent; import them from './verify' and './cli' directly.
export * from './report';
export * from './stack-verifier';
