import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { SandboxEcs, type SandboxOptions } from './sandbox-ecs';
import type { SandboxState } from './sandbox-state';
import { SandboxSts } from './sandbox-sts';

export interface LoadedSandbox {
  ecs: SandboxEcs;
  sts: SandboxSts;
}

/**
 * The sandbox account of a file (or a fresh one without a file, or when the file does not exist
 * yet). A loaded account keeps its own account id and Region; `opts` supply the clock, call log,
 * rollout timing and so on.
 */
export async function loadSandbox(
  file: string | undefined,
  opts: SandboxOptions = {},
): Promise<LoadedSandbox> {
  let ecs: SandboxEcs;
  const text = file !== undefined ? await readIfExists(file) : undefined;
  if (text !== undefined) {
    let state: SandboxState;
    try {
      state = JSON.parse(text) as SandboxState;
    } catch (err) {
      throw new Error(`sandbox state file ${file ?? ''} is not valid JSON: ${(err as Error).message}`, {
        cause: err,
      });
    }
    ecs = SandboxEcs.fromJSON(state, opts);
  } else {
    ecs = new SandboxEcs(opts);
  }
  return { ecs, sts: new SandboxSts(ecs.accountId, ecs.callLog) };
}

/** Writes the account atomically: a temp file in the same directory, then rename. */
export async function saveSandbox(file: string, sandbox: SandboxEcs): Promise<void> {
  const dir = path.dirname(path.resolve(file));
  await fs.mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  await fs.writeFile(tmp, JSON.stringify(sandbox.toJSON(), null, 2) + '\n', 'utf8');
  try {
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
