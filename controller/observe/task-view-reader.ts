import type { ClusterSnapshot } from '../model/ecs-view';
import {
  type InstanceState,
  type TaskState,
  instanceStateFromApi,
  taskStateFromApi,
} from '../model/view-items';
import type { EcsHousekeepingReadPort, EcsReadPort } from '../aws/ecs-port';
import { collectPages, tokenField } from '../aws/paginate';

/** The ECS reads of the full resync of the view. */
export type TaskViewReadPort = Pick<EcsHousekeepingReadPort, 'listTasks' | 'describeTasks'> &
  Pick<EcsReadPort, 'listContainerInstances' | 'describeContainerInstances'>;

/** AWS limits: list pages of 100, and 100 tasks or container instances per Describe call. */
const LIST_PAGE = 100;
const DESCRIBE_BATCH = 100;

/**
 * The complete live state of one cluster for the view (seed and full resync): ListTasks for desired
 * status RUNNING and for STOPPED (ECS lists stopped tasks for a while, with their stop code, reason and
 * exit codes), DescribeTasks in batches of 100, then ListContainerInstances (ECS's default: every
 * status but INACTIVE) and DescribeContainerInstances in batches of 100. A task or instance gone
 * between the List and the Describe (a `MISSING` failure) is simply not in the result.
 *
 * `signal`: checked before every call (a large cluster takes hundreds), so that a stopping controller
 * waits for one call at most, not for the whole read.
 */
export async function readClusterView(
  ecs: TaskViewReadPort,
  cluster: string,
  signal?: AbortSignal,
): Promise<ClusterSnapshot> {
  const port = abortable(ecs, signal);
  const taskArns = new Set<string>();
  for (const desiredStatus of ['RUNNING', 'STOPPED'] as const) {
    const arns = await collectPages(
      (token) => port.listTasks({ cluster, desiredStatus, maxResults: LIST_PAGE, ...tokenField(token) }),
      (p) => p.taskArns,
    );
    // A task that stopped between the two lists is in both: described once.
    for (const arn of arns) taskArns.add(arn);
  }
  const tasks: TaskState[] = [];
  for (const batch of batches([...taskArns], DESCRIBE_BATCH)) {
    const out = await port.describeTasks({ cluster, tasks: batch });
    for (const t of out.tasks ?? []) {
      const state = taskStateFromApi(cluster, t);
      if (state) tasks.push(state);
    }
  }

  const instanceArns = await collectPages(
    (token) => port.listContainerInstances({ cluster, maxResults: LIST_PAGE, ...tokenField(token) }),
    (p) => p.containerInstanceArns,
  );
  const instances: InstanceState[] = [];
  for (const batch of batches(instanceArns, DESCRIBE_BATCH)) {
    const out = await port.describeContainerInstances({ cluster, containerInstances: batch });
    for (const c of out.containerInstances ?? []) {
      const state = instanceStateFromApi(cluster, c);
      if (state) instances.push(state);
    }
  }
  return { tasks, instances };
}

/** The port, refusing every call once `signal` aborted (with the signal's reason, an AbortError). */
function abortable(port: TaskViewReadPort, signal: AbortSignal | undefined): TaskViewReadPort {
  if (!signal) return port;
  const guard =
    <I, O>(fn: (input: I) => Promise<O>) =>
    (input: I) => {
      signal.throwIfAborted();
      return fn(input);
    };
  return {
    listTasks: guard((i) => port.listTasks(i)),
    describeTasks: guard((i) => port.describeTasks(i)),
    listContainerInstances: guard((i) => port.listContainerInstances(i)),
    describeContainerInstances: guard((i) => port.describeContainerInstances(i)),
  };
}

function batches<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
