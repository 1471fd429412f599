import type {
  Attribute,
  Compatibility,
  ContainerDefinition,
  RegisterTaskDefinitionRequest,
  Tag,
  TaskDefinition,
} from '@aws-sdk/client-ecs';
import { FAMILY_PATTERN } from '../../model/naming';
import { canonicalTaskCpu, canonicalTaskMemory } from '../../model/task-size';
import { errors } from './errors';

/**
 * RegisterTaskDefinition as ECS validates and fills it. Messages marked (AWS) are AWS's own wording;
 * the others name the same problem in our words where AWS's exact text was not at hand.
 */

const CONTAINER_NAME_PATTERN = /^[A-Za-z0-9_-]{1,255}$/;
export const MAX_CONTAINERS = 10;
export const MAX_TAGS = 50;

/** Fargate task sizes: CPU units -> allowed memory (MiB). */
const FARGATE_SIZES: Record<string, number[]> = {
  '256': [512, 1024, 2048],
  '512': range(1024, 4096, 1024),
  '1024': range(2048, 8192, 1024),
  '2048': range(4096, 16384, 1024),
  '4096': range(8192, 30720, 1024),
  '8192': range(16384, 61440, 4096),
  '16384': range(32768, 122880, 8192),
};

function range(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let v = from; v <= to; v += step) out.push(v);
  return out;
}

/** Task-level CPU as AWS stores it (`0.25 vCPU` -> `256`); AWS's error for a spelling it rejects. */
export function normalizeCpu(value: string): string {
  const cpu = canonicalTaskCpu(value);
  if (cpu === undefined) throw errors.client(`Invalid 'cpu' setting for task: '${value}'.`);
  return cpu;
}

/** Task-level memory as AWS stores it (MiB: `1 GB` -> `1024`); AWS rejects `GiB`/`MiB` suffixes. */
export function normalizeMemory(value: string): string {
  const memory = canonicalTaskMemory(value);
  if (memory === undefined) throw errors.client(`Invalid 'memory' setting for task: '${value}'.`);
  return memory;
}

/** Tag rules shared by every ECS resource. */
export function validateTags(tags: readonly Tag[] | undefined, existing = 0): void {
  const list = tags ?? [];
  if (list.length + existing > MAX_TAGS) {
    throw errors.invalidParameter(`Tag limit exceeded: a resource can have at most ${MAX_TAGS} tags.`);
  }
  for (const t of list) {
    if (!t.key || t.key.length > 128) throw errors.invalidParameter('Tag keys must be 1 to 128 characters.');
    if ((t.value ?? '').length > 256)
      throw errors.invalidParameter('Tag values must be at most 256 characters.');
    if (t.key.toLowerCase().startsWith('aws:')) {
      throw errors.invalidParameter(`Tag keys must not start with 'aws:': ${t.key}`);
    }
  }
}

export function validateRegister(input: RegisterTaskDefinitionRequest): void {
  if (!input.family || !FAMILY_PATTERN.test(input.family)) {
    throw errors.client(
      'Family must be 1-255 characters: letters (uppercase and lowercase), numbers, hyphens and underscores.',
    );
  }
  const containers = input.containerDefinitions ?? [];
  if (containers.length === 0) throw errors.client('Container list cannot be empty.'); // (AWS)
  if (containers.length > MAX_CONTAINERS) {
    throw errors.client(`Too many containers: a task definition can have at most ${MAX_CONTAINERS}.`);
  }
  const networkMode = input.networkMode;
  const awsvpc = networkMode === 'awsvpc';
  const requires = input.requiresCompatibilities ?? [];
  const taskMemory = input.memory !== undefined ? normalizeMemory(input.memory) : undefined;
  const taskCpu = input.cpu !== undefined ? normalizeCpu(input.cpu) : undefined;
  const volumes = new Set((input.volumes ?? []).map((v) => v.name));
  const names = new Set<string>();
  for (const c of containers) {
    if (!c.name) throw errors.client('Container.name should not be null or empty.'); // (AWS)
    if (!CONTAINER_NAME_PATTERN.test(c.name)) {
      throw errors.client(
        `Invalid container name '${c.name}': up to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores are allowed.`,
      );
    }
    if (names.has(c.name)) throw errors.client(`Duplicate container name found: ${c.name}.`);
    names.add(c.name);
    if (!c.image) throw errors.client('Container.image should not be null or empty.'); // (AWS)
    if (taskMemory === undefined && c.memory === undefined && c.memoryReservation === undefined) {
      // (AWS)
      throw errors.client(
        `Invalid setting for container '${c.name}'. At least one of 'memory' or 'memoryReservation' must be specified.`,
      );
    }
    if (c.memory !== undefined && c.memoryReservation !== undefined && c.memoryReservation > c.memory) {
      throw errors.client(
        `Invalid setting for container '${c.name}'. 'memoryReservation' must be less than or equal to 'memory'.`,
      );
    }
    if (awsvpc && c.links && c.links.length > 0) {
      throw errors.client('Links are not supported when networkMode=awsvpc.');
    }
    for (const p of c.portMappings ?? []) {
      if ((awsvpc || networkMode === 'host') && p.hostPort !== undefined && p.containerPort !== undefined) {
        if (p.hostPort !== p.containerPort) {
          // (AWS)
          throw errors.client(
            `When networkMode=${networkMode}, the host ports and container ports in port mappings must match.`,
          );
        }
      }
    }
    for (const m of c.mountPoints ?? []) {
      if (!m.sourceVolume || !volumes.has(m.sourceVolume)) {
        throw errors.client(
          `Invalid 'mountPoints' setting for container '${c.name}': sourceVolume '${m.sourceVolume ?? ''}' is not a declared volume.`,
        );
      }
    }
  }
  if (!containers.some((c) => c.essential !== false)) {
    throw errors.client('A task definition must have at least one essential container.');
  }
  if (requires.includes('FARGATE')) {
    if (!awsvpc) throw errors.client("Fargate only supports network mode 'awsvpc'.");
    if (taskCpu === undefined)
      throw errors.client("Fargate requires that 'cpu' be defined at the task level.");
    if (taskMemory === undefined) {
      throw errors.client("Fargate requires that 'memory' be defined at the task level.");
    }
    if (!FARGATE_SIZES[taskCpu]?.includes(Number(taskMemory))) {
      throw errors.client('No Fargate configuration exists for given values.'); // (AWS)
    }
  }
  validateTags(input.tags);
}

function fillContainer(c: ContainerDefinition, networkMode: string | undefined): ContainerDefinition {
  const hostEqualsContainer = networkMode === 'awsvpc' || networkMode === 'host';
  const out: ContainerDefinition = {
    ...c,
    cpu: c.cpu ?? 0,
    essential: c.essential ?? true,
    environment: c.environment ?? [],
    mountPoints: c.mountPoints ?? [],
    volumesFrom: c.volumesFrom ?? [],
    portMappings: (c.portMappings ?? []).map((p) => ({
      ...p,
      protocol: p.protocol ?? 'tcp',
      ...(hostEqualsContainer && p.hostPort === undefined && p.containerPort !== undefined
        ? { hostPort: p.containerPort }
        : {}),
    })),
  };
  if (c.healthCheck) {
    out.healthCheck = {
      ...c.healthCheck,
      interval: c.healthCheck.interval ?? 30,
      timeout: c.healthCheck.timeout ?? 5,
      retries: c.healthCheck.retries ?? 3,
    };
  }
  return out;
}

/** The capability attributes ECS derives from a task definition (the common ones). */
function requiredAttributes(input: RegisterTaskDefinitionRequest): Attribute[] {
  const names = new Set<string>(['com.amazonaws.ecs.capability.docker-remote-api.1.18']);
  if (input.networkMode === 'awsvpc') names.add('ecs.capability.task-eni');
  if (input.taskRoleArn) names.add('com.amazonaws.ecs.capability.task-iam-role');
  for (const c of input.containerDefinitions ?? []) {
    if (c.healthCheck) {
      names.add('ecs.capability.container-health-check');
      names.add('com.amazonaws.ecs.capability.docker-remote-api.1.24');
    }
    if (c.logConfiguration?.logDriver === 'awslogs') {
      names.add('com.amazonaws.ecs.capability.logging-driver.awslogs');
      names.add('com.amazonaws.ecs.capability.docker-remote-api.1.19');
      if (input.executionRoleArn) names.add('ecs.capability.execution-role-awslogs');
    }
    if (/\.dkr\.ecr\./.test(c.image ?? '')) {
      names.add('com.amazonaws.ecs.capability.ecr-auth');
      if (input.executionRoleArn) names.add('ecs.capability.execution-role-ecr-pull');
    }
    if (c.secrets && c.secrets.length > 0) names.add('ecs.capability.secrets.asm.environment-variables');
  }
  return [...names].sort().map((name) => ({ name }));
}

function compatibilities(
  input: RegisterTaskDefinitionRequest,
  cpu?: string,
  memory?: string,
): Compatibility[] {
  const out: Compatibility[] = ['EC2'];
  if (input.networkMode !== 'awsvpc') out.push('EXTERNAL');
  if (input.networkMode === 'awsvpc' && cpu && memory && FARGATE_SIZES[cpu]?.includes(Number(memory))) {
    out.push('FARGATE');
  }
  return out;
}

/** The stored revision: the request with AWS's defaults filled in. `tags` are kept apart, as AWS does. */
export function buildTaskDefinition(
  input: RegisterTaskDefinitionRequest,
  ctx: { arn: string; revision: number; accountId: string },
): Omit<TaskDefinition, 'registeredAt'> {
  const { cpu, memory } = input;
  const rest = { ...input };
  delete rest.tags;
  delete rest.cpu;
  delete rest.memory;
  const taskCpu = cpu !== undefined ? normalizeCpu(cpu) : undefined;
  const taskMemory = memory !== undefined ? normalizeMemory(memory) : undefined;
  return {
    ...rest,
    taskDefinitionArn: ctx.arn,
    revision: ctx.revision,
    status: 'ACTIVE',
    containerDefinitions: (input.containerDefinitions ?? []).map((c) => fillContainer(c, input.networkMode)),
    volumes: input.volumes ?? [],
    placementConstraints: input.placementConstraints ?? [],
    ...(taskCpu !== undefined ? { cpu: taskCpu } : {}),
    ...(taskMemory !== undefined ? { memory: taskMemory } : {}),
    compatibilities: compatibilities(input, taskCpu, taskMemory),
    requiresAttributes: requiredAttributes(input),
    ...(input.requiresCompatibilities ? { requiresCompatibilities: input.requiresCompatibilities } : {}),
    registeredBy: `arn:aws:iam::${ctx.accountId}:root`,
  };
}
