#!/usr/bin/env node
'use strict';
/**
 * Part of `npm run build`: writes dist/specfiles/schema-validators.js, ajv's standalone code for the
 * schemas in crds/, with the options controller/specfiles/validate-schema.ts compiles them with.
 * Every CLI start that loads a spec would otherwise compile the schemas (about 300 ms of a 1.4 s
 * `diff`); the generated module loads in a fraction of that. Tests that import the sources compile
 * the schemas instead, so both paths stay in use (test/specfiles/schema-validators.test.ts compares).
 */
const fs = require('node:fs');
const path = require('node:path');
const Ajv = require('ajv').default;
const standaloneCode = require('ajv/dist/standalone').default;
const root = path.resolve(__dirname, '..');
// The compiled output to add to: dist/ by default, another directory when given (the bench's copy).
const dist = path.resolve(process.argv[2] || path.join(root, 'dist'));
const { AJV_OPTIONS, SCHEMA_KINDS } = require(path.join(dist, 'specfiles', 'schema-options.js'));

const ajv = new Ajv({ ...AJV_OPTIONS, code: { source: true } });
for (const kind of SCHEMA_KINDS) {
  const file = `${kind}.schema.json`;
  ajv.addSchema(JSON.parse(fs.readFileSync(path.join(root, 'crds', file), 'utf8')), file);
}
const code = standaloneCode(ajv, Object.fromEntries(SCHEMA_KINDS.map((k) => [k, `${k}.schema.json`])));
fs.writeFileSync(path.join(dist, 'specfiles', 'schema-validators.js'), code);
