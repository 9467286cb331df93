#!/usr/bin/env node
// Static HTML validation of a built site with html-validate (no browser).
//
//   node tests/browser/validate.mjs SITE_DIR        (or: npm --prefix tests/browser run validate -- SITE_DIR)
//
// Uses tests/browser/.htmlvalidate.json only (html-validate:recommended + html-validate:document,
// require-sri limited to crossorigin resources). One PASS/FAIL line per file, every error and
// warning under it, then "N passed, M failed" (files). Exit 1 if any file has an error.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HtmlValidate, StaticConfigLoader } from 'html-validate';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2).filter((a) => a !== '--');
if (args.length !== 1 || args[0].startsWith('-')) {
  console.error('usage: node tests/browser/validate.mjs SITE_DIR');
  process.exit(2);
}
// Under `npm run validate|check -- DIR` npm changes into tests/browser; resolve DIR where npm was called.
const callerDir = ['validate', 'check'].includes(process.env.npm_lifecycle_event) && process.env.INIT_CWD ? process.env.INIT_CWD : process.cwd();
const SITE = path.resolve(callerDir, args[0]);
if (!fs.existsSync(SITE) || !fs.statSync(SITE).isDirectory()) {
  console.error(`validate: not a directory: ${SITE}`);
  process.exit(2);
}

function findHtml(dir) {
  const out = [];
  for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
    if (ent.name === 'node_modules' || ent.name.startsWith('.')) continue;
    const full = path.join(dir, ent.name);
    if (ent.isDirectory()) out.push(...findHtml(full));
    else if (ent.isFile() && /\.html?$/i.test(ent.name)) out.push(full);
  }
  return out;
}

const config = JSON.parse(fs.readFileSync(path.join(here, '.htmlvalidate.json'), 'utf8'));
const htmlvalidate = new HtmlValidate(new StaticConfigLoader(config));

const files = findHtml(SITE).sort();
if (!files.length) {
  console.error(`validate: no .html files under ${SITE}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}

let passed = 0;
let failed = 0;
for (const file of files) {
  const rel = '/' + path.relative(SITE, file).split(path.sep).join('/');
  const report = await htmlvalidate.validateFile(file);
  const messages = report.results.flatMap((r) => r.messages);
  const errors = messages.filter((m) => m.severity === 2);
  if (errors.length === 0) {
    passed++;
    console.log(`PASS html ${rel}`);
  } else {
    failed++;
    console.log(`FAIL html ${rel}: ${errors.length} error(s)`);
  }
  for (const m of messages) {
    const sev = m.severity === 2 ? 'error' : 'warning';
    console.log(`     ${rel}:${m.line}:${m.column} ${sev} ${m.ruleId}: ${m.message}`);
  }
}
console.log(`validate: ${files.length} file(s) checked with html-validate`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
