import * as path from 'path';
import { discoverClusterDirs, listSpecFiles } from '../../controller/specfiles';
import { specDir } from './helpers';

describe('finding cluster directories', () => {
  it('a directory with cluster.yaml is one cluster', () => {
    const dir = specDir({ 'cluster.yaml': 'name: a\n', 'sub/cluster.yaml': 'name: b\n' });
    expect(discoverClusterDirs([dir])).toEqual([dir]);
  });

  it('a repo whose subdirectories have cluster.yaml/cluster.yml expands to them, sorted', () => {
    const repo = specDir({
      'staging/cluster.yml': 'name: staging\n',
      'prod/cluster.yaml': 'name: prod\n',
      'docs/readme.md': '',
      'README.md': '',
    });
    expect(discoverClusterDirs([repo])).toEqual([path.join(repo, 'prod'), path.join(repo, 'staging')]);
  });

  it('anything else is one old ecs-efs directory (and a missing path is kept for the loader to report)', () => {
    const old = specDir({ 'web.taskdef': '{}' });
    expect(discoverClusterDirs([old, '/nonexistent/x'])).toEqual([old, '/nonexistent/x']);
  });
});

describe('listing spec files', () => {
  it('takes NAME.taskdef, NAME.service, NAME.service.template with optional .json/.yaml/.yml, sorted', () => {
    const dir = specDir({
      'web.taskdef': '',
      'web.taskdef.yaml': '',
      'api.service.template': '',
      'api.service.yml': '',
      'db.service.template.json': '',
      'cluster.yaml': '',
      'web.taskdef~': '',
      'notes.md': '',
      'x.service.txt': '',
      'sub/inner.taskdef': '',
    });
    expect(listSpecFiles(dir).map((f) => [f.name, f.basename, f.kind])).toEqual([
      ['api.service.template', 'api', 'service.template'],
      ['api.service.yml', 'api', 'service'],
      ['db.service.template.json', 'db', 'service.template'],
      ['web.taskdef', 'web', 'taskdef'],
      ['web.taskdef.yaml', 'web', 'taskdef'],
    ]);
    expect(listSpecFiles(dir)[0].path).toBe(path.join(dir, 'api.service.template'));
  });
});
