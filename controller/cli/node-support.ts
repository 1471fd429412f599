/** The Node lines ecs-gitops is tested on and supports (engines: 20.19+ while the SDK installs on it, 22.12+ for require() of the ES-module GitHub client). */
export const SUPPORTED_NODE_LINES = [22, 24] as const;

/** The AWS SDK's own switch for its multi-line NodeVersionSupportWarning. */
const SDK_WARNING_SWITCH = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED';

/**
 * On a Node older than the supported lines: turns the AWS SDK's nine-line warning off (through the
 * SDK's own switch, so every other process warning still shows) and returns the one line to say
 * instead. Undefined on a supported Node, and when the user turned the SDK's warning off already.
 * Call before any SDK client is created: the SDK checks once, in the first client's constructor.
 */
export function nodeSupportNotice(
  version: string = process.version,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  const major = Number(/^v?(\d+)\./.exec(version)?.[1]);
  if (!(major < SUPPORTED_NODE_LINES[0])) return undefined;
  if (env[SDK_WARNING_SWITCH] === 'true') return undefined;
  env[SDK_WARNING_SWITCH] = 'true';
  return (
    `Node ${version} is past its end of life: ecs-gitops supports Node ${SUPPORTED_NODE_LINES.join(' and ')}, ` +
    'and AWS SDK releases after January 2027 need Node 22 or newer'
  );
}
