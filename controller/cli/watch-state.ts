import type { ViewChange } from '../model/ecs-view';
import type { InstanceItem, TaskItem } from '../model/view-items';
import type { StatusDocument } from '../telemetry/status';
import {
  type ChangeLine,
  instanceChange,
  instanceGone,
  statusChanges,
  taskChange,
  taskGone,
} from './watch-lines';

/*
 * What `status --watch` knows of the controller: the tasks and instances its /v1/stream sent, and
 * the last /status document. Each update returns the lines it is worth. A reconnect re-reads the
 * stream's snapshot: entries the watcher already printed in the same state print nothing again,
 * and entries that went while it was away are found by `beginResync` / `endResync`.
 */

export class WatchState {
  readonly tasks = new Map<string, TaskItem>();
  readonly instances = new Map<string, InstanceItem>();
  status: StatusDocument | undefined;
  /** Entries known before a reconnect that the new connection has not mentioned yet. */
  private unconfirmed: Set<string> | undefined;

  constructor(private readonly cluster?: string) {}

  applyView(change: ViewChange): ChangeLine | undefined {
    if (this.cluster !== undefined && change.item.cluster !== this.cluster) return undefined;
    const key = viewKey(change.type, change.item.cluster, arnOf(change));
    this.unconfirmed?.delete(key);
    if (change.type === 'task') {
      const prev = this.tasks.get(key);
      if (change.op === 'delete') {
        this.tasks.delete(key);
        return prev && taskGone(prev);
      }
      this.tasks.set(key, change.item);
      return taskChange(prev, change.item);
    }
    const prev = this.instances.get(key);
    if (change.op === 'delete') {
      this.instances.delete(key);
      return prev && instanceGone(prev);
    }
    this.instances.set(key, change.item);
    return instanceChange(prev, change.item);
  }

  applyStatus(doc: StatusDocument): ChangeLine[] {
    const lines = statusChanges(this.status, doc, this.cluster);
    this.status = doc;
    return lines;
  }

  /** A new stream connection is open: what it does not confirm may have gone meanwhile. */
  beginResync(): void {
    this.unconfirmed = new Set([...this.tasks.keys(), ...this.instances.keys()]);
  }

  cancelResync(): void {
    this.unconfirmed = undefined;
  }

  /**
   * `listed`: the keys of every entry the controller lists (read after the new connection opened).
   * Entries neither listed nor sent on the new connection went while the watcher was away.
   */
  endResync(listed: ReadonlySet<string>): ChangeLine[] {
    const gone = [...(this.unconfirmed ?? [])].filter((k) => !listed.has(k));
    this.unconfirmed = undefined;
    const lines: ChangeLine[] = [];
    for (const key of gone) {
      const task = this.tasks.get(key);
      const instance = this.instances.get(key);
      if (task) lines.push(taskGone(task));
      if (instance) lines.push(instanceGone(instance));
      this.tasks.delete(key);
      this.instances.delete(key);
    }
    return lines;
  }
}

export function viewKey(type: 'task' | 'instance', cluster: string, arn: string): string {
  return `${type}\n${cluster}\n${arn}`;
}

function arnOf(change: ViewChange): string {
  return change.type === 'task' ? change.item.taskArn : change.item.containerInstanceArn;
}
