import type { Moto } from './helpers/moto';

/** jest globalTeardown of the moto project: stops the servers test/moto-pool-setup.ts started. */
export default async function teardown(): Promise<void> {
  const pool = (globalThis as { __motoPool?: Moto[] }).__motoPool ?? [];
  await Promise.all(pool.map((m) => m.stop()));
}
