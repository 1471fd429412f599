import type { CreateServiceRequest, RegisterTaskDefinitionRequest, Service } from '@aws-sdk/client-ecs';
import { ManualClock } from '../../controller/aws/clock';
import { SandboxEcs, type SandboxOptions } from '../../controller/aws/sandbox/sandbox-ecs';
import {
  type LoadedSandbox,
  type LoadSandboxOptions,
  sandboxFromJSON,
} from '../../controller/aws/sandbox/state-file';

/** A sandbox on a manual clock starting at a fixed instant. */
export function newSandbox(opts: SandboxOptions = {}): { sb: SandboxEcs; clock: ManualClock } {
  const clock = new ManualClock(Date.UTC(2024, 0, 1));
  return { sb: new SandboxEcs({ clock, ...opts }), clock };
}

/** A whole sandbox account (ECS, STS, Route53, ELBv2, EC2) on one manual clock and call log. */
export function newSandboxAccount(opts: LoadSandboxOptions = {}): LoadedSandbox & { clock: ManualClock } {
  const clock = new ManualClock(Date.UTC(2024, 0, 1));
  return { ...sandboxFromJSON(undefined, { clock, ...opts }), clock };
}

/**
 * Registers `demo-web` (EC2, the image given) and creates service `web` of it in cluster `demo`
 * (which must exist), with `extra` fields; returns the service.
 */
export async function webService(
  sb: SandboxEcs,
  extra: Partial<CreateServiceRequest> & { desiredCount: number },
  image = 'nginx:1.27',
): Promise<Service> {
  await sb.registerTaskDefinition(ec2TaskDef('demo-web', image));
  const out = await sb.createService({
    cluster: 'demo',
    serviceName: 'web',
    taskDefinition: 'demo-web',
    ...extra,
  });
  return out.service!;
}

/** A small valid EC2 (bridge) task definition. */
export function ec2TaskDef(family: string, image = 'nginx:1.27'): RegisterTaskDefinitionRequest {
  return {
    family,
    containerDefinitions: [{ name: 'web', image, memory: 128, portMappings: [{ containerPort: 80 }] }],
  };
}

/** A small valid Fargate task definition. */
export function fargateTaskDef(family: string, image = 'nginx:1.27'): RegisterTaskDefinitionRequest {
  return {
    family,
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: '256',
    memory: '512',
    containerDefinitions: [{ name: 'web', image, portMappings: [{ containerPort: 80 }] }],
  };
}

/** Expects a promise to reject with an AWS error of this name (and message, when given). */
export async function expectAwsError(
  p: Promise<unknown>,
  name: string,
  message?: string | RegExp,
): Promise<void> {
  let caught: unknown;
  try {
    await p;
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(Error);
  expect((caught as Error).name).toBe(name);
  if (message !== undefined) {
    if (typeof message === 'string') expect((caught as Error).message).toBe(message);
    else expect((caught as Error).message).toMatch(message);
  }
}
