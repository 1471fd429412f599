/**
 * docs/examples/pull-request-comment.md is what `npm run docs` computes today: the markdown plan of
 * the ecs-efs example after one image and one secret-looking variable changed, on the sandbox.
 */
import * as fs from 'fs';
// Not through generate-docs-tables.ts: it loads prettier, which jest cannot import.
import { EXAMPLE_SECRET, PR_EXAMPLE_DOC, pullRequestExampleDoc } from '../../scripts/pull-request-example';

describe('docs/examples/pull-request-comment.md', () => {
  test('is what `npm run docs` writes (run it after changing the markdown plan)', async () => {
    expect(fs.readFileSync(PR_EXAMPLE_DOC, 'utf8')).toBe(await pullRequestExampleDoc());
  });

  test('shows the image change and the variable, never its value, with relative paths', () => {
    const doc = fs.readFileSync(PR_EXAMPLE_DOC, 'utf8');
    expect(doc).toContain('! containerDefinitions[web].image: "nginx:1.27" -> "nginx:1.28"');
    expect(doc).toContain('environment[JENKINS_ADMIN_PASSWORD]');
    expect(doc).toContain('(sensitive value)');
    expect(doc).not.toContain(EXAMPLE_SECRET);
    expect(doc).toContain('`ecs-efs-example/webserver.taskdef:1`');
    expect(doc).not.toMatch(/\/tmp\/|\/home\//);
  });
});
