import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { distCli } from './dist-cli';

export interface SpawnedRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * An environment with nothing of the caller's AWS setup: no keys, no profile, a HOME without
 * ~/.aws, no instance metadata. Only what a command needs to start is kept.
 */
export function bareEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: mkdtempSync(path.join(tmpdir(), 'ecs-gitops-home-')),
    AWS_EC2_METADATA_DISABLED: 'true',
    ...(process.env.AWS_CA_BUNDLE ? { AWS_CA_BUNDLE: process.env.AWS_CA_BUNDLE } : {}),
    ...extra,
  };
}

/**
 * Runs the compiled CLI (bin/ecs-gitops.js, as users run it; `npm test` builds dist/ first) in a child
 * process of the same Node binary as the test (`process.execPath`: under `.ci/run`'s Node 24 pass, the
 * CLI runs on Node 24), with its own environment, and collects what it prints. `nodeArgs` go to node
 * before the entry script.
 */
export function spawnCli(
  args: string[],
  env: Record<string, string>,
  nodeArgs: string[] = [],
): Promise<SpawnedRun> {
  const child = spawn(process.execPath, [...nodeArgs, distCli(), ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
