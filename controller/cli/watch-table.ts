import { shortCommit } from '../telemetry/status';
import { isoSeconds, oneLine, serviceState, services, shortTaskId, taskOwner } from './watch-lines';
import type { WatchState } from './watch-state';

/*
 * What `status --watch` draws on a terminal, redrawn on every change: clusters, services, tasks
 * and container instances, then the latest change lines. Cut to the terminal's height, tasks first
 * to give way (they are the longest list).
 */

export interface TableFrame {
  url: string;
  at: number;
  /** Latest change lines, oldest first. */
  recent: readonly string[];
  /** Terminal rows; 0 for no limit. */
  rows: number;
  /** Why the stream or /status is not live just now, if so. */
  trouble?: string;
}

export function renderTable(state: WatchState, frame: TableFrame): string {
  const head = [`ecs-gitops status --watch  ${frame.url}  ${isoSeconds(frame.at)}`];
  if (frame.trouble) head.push(`! ${frame.trouble}`);
  const clusters = (state.status?.clusters ?? []).map((c) => [
    c.cluster,
    c.state,
    c.lastAppliedCommit ? shortCommit(c.lastAppliedCommit) : '-',
    c.state === 'Ready' ? '' : oneLine(c.reason ?? ''),
  ]);
  const serviceRows = (state.status?.clusters ?? []).flatMap((c) =>
    [...services(c)].map(([name, o]) => [c.cluster, name, serviceState(o)]),
  );
  const taskRows = [...state.tasks.values()].map((t) => [
    t.cluster,
    shortTaskId(t),
    taskOwner(t),
    t.lastStatus,
    t.healthStatus ?? '-',
    t.desiredStatus,
  ]);
  const instanceRows = [...state.instances.values()].map((i) => [
    i.cluster,
    i.ec2InstanceId ?? i.containerInstanceArn,
    i.status,
    i.agentConnected ? 'connected' : 'disconnected',
    String(i.runningTasksCount ?? '-'),
  ]);
  const sections = [
    table('clusters', ['CLUSTER', 'STATE', 'COMMIT', 'REASON'], clusters),
    table('services', ['CLUSTER', 'SERVICE', 'STATE'], serviceRows),
    table('container instances', ['CLUSTER', 'INSTANCE', 'STATUS', 'AGENT', 'TASKS'], instanceRows),
  ];
  const recent = frame.recent.length > 0 ? ['recent changes:', ...frame.recent.map((l) => `  ${l}`)] : [];
  let tasks = table('tasks', ['CLUSTER', 'TASK', 'OWNER', 'STATUS', 'HEALTH', 'DESIRED'], taskRows);
  if (frame.rows > 0) {
    const fixed = head.length + sections.reduce((n, s) => n + s.length + 1, 0) + recent.length + 1;
    const room = Math.max(frame.rows - fixed - 1, 2);
    if (tasks.length > room)
      tasks = [...tasks.slice(0, room - 1), `... ${tasks.length - room + 1} more tasks`];
  }
  const out = [...head, '', ...sections[0], '', ...sections[1], '', ...tasks, '', ...sections[2]];
  if (recent.length > 0) out.push('', ...recent);
  return `${out.join('\n')}\n`;
}

function table(title: string, header: string[], rows: string[][]): string[] {
  if (rows.length === 0) return [`${title}: none yet`];
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  return all.map((r) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd(),
  );
}
