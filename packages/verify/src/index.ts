// The public surface: StackVerifier and its report types. Importing it does not load the AWS
// SDK (StackVerifier.verify() does, on first use). verifyStack() and runCli(), which take AWS
// SDK clients, are internal: the command line and StackVerifier are the supported entry points.
export * from './report';
export * from './stack-verifier';
