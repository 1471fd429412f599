/**
 * jest globalSetup of the moto project: one moto_server per worker, started once for the run
 * instead of once per test file (each start costs about a second of CPU, and moto loads each
 * service's backend again on first use). Workers are started after this, so they inherit the
 * endpoints from the environment; `startMoto()` (test/helpers/moto.ts) takes its worker's server
 * and resets it, so every file still starts from an empty account.
 */
import { startMoto, type Moto } from './helpers/moto';

export const POOL_ENV = 'ECS_GITOPS_TEST_MOTO_POOL';

export default async function setup(globalConfig: { maxWorkers: number }): Promise<void> {
  const count = Math.max(1, globalConfig.maxWorkers);
  const servers: Moto[] = await Promise.all(Array.from({ length: count }, () => startMoto({ own: true })));
  (globalThis as { __motoPool?: Moto[] }).__motoPool = servers;
  process.env[POOL_ENV] = servers.map((m) => m.endpoint).join(',');
}
