import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { imageNodeFlags } from '../../bench/footprint';

// The controller footprint runs the compiled CLI with the node flags of the image's ENTRYPOINT, so
// that the RSS it reports is the image's: the parse must find them, or fail loudly.
test("the benchmark reads the node flags of the Dockerfile's ENTRYPOINT", () => {
  expect(imageNodeFlags()).toEqual(['--max-semi-space-size=4', '--heap-growing-percent=50']);
  const dir = mkdtempSync(path.join(tmpdir(), 'ecs-gitops-dockerfile-'));
  try {
    const file = path.join(dir, 'Dockerfile');
    writeFileSync(file, 'FROM node:22\nENTRYPOINT ["node", "/app/bin/ecs-gitops.js"]\n');
    expect(imageNodeFlags(file)).toEqual([]);
    writeFileSync(file, 'FROM node:22\nCMD ["run"]\n');
    expect(() => imageNodeFlags(file)).toThrow('no ENTRYPOINT');
    writeFileSync(file, 'ENTRYPOINT ["/bin/sh", "-c", "x"]\n');
    expect(() => imageNodeFlags(file)).toThrow('runs no node script');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// V8 flags are not all Node's documented options: a Node whose V8 dropped one would not start the
// image at all. This Node (CI runs each supported version) must accept them.
test("this Node starts with the image's node flags", () => {
  const flags = imageNodeFlags();
  expect(execFileSync(process.execPath, [...flags, '-e', 'process.stdout.write("ok")']).toString()).toBe(
    'ok',
  );
});
