'use strict';
// Used by `npm start`, `npm run demo` and `npm test`: build dist/ (tsc, then the schema validators) unless it is
// newer than every input. tsc's own incremental check takes about 5 s even when nothing changed.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const INPUT_DIRS = ['controller', 'crds'];
const INPUT_FILES = [
  'tsconfig.json',
  'tsconfig.build.json',
  'package-lock.json',
  'scripts/build-schema-validators.js',
];

function newestInput() {
  let newest = 0;
  const visit = (p) => {
    const st = fs.statSync(p);
    if (st.isDirectory()) for (const e of fs.readdirSync(p)) visit(path.join(p, e));
    else newest = Math.max(newest, st.mtimeMs);
  };
  for (const d of INPUT_DIRS) visit(path.join(root, d));
  for (const f of INPUT_FILES) if (fs.existsSync(path.join(root, f))) visit(path.join(root, f));
  return newest;
}

/** The time of the last complete build: the validators are written last. */
function builtAt() {
  const last = path.join(root, 'dist', 'specfiles', 'schema-validators.js');
  return fs.existsSync(last) ? fs.statSync(last).mtimeMs : -1;
}

function ensureBuilt() {
  if (builtAt() >= newestInput()) return;
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
    cwd: root,
    stdio: 'inherit',
  });
  execFileSync(process.execPath, [path.join(root, 'scripts', 'build-schema-validators.js')], {
    stdio: 'inherit',
  });
}

module.exports = { ensureBuilt };

if (require.main === module) ensureBuilt();
