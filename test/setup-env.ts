// Below Node 22 the CLI replaces the AWS SDK's nine-line Node version warning with one line of its
// own; the SDK's switch, set here, silences both, so that in-process CLI runs print only what a
// test is about. test/cli/spawned-cli.sandbox.test.ts runs the CLI without it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
