#!/usr/bin/env node
// Runs the TypeScript CLI on the project's pinned Node 24 (node_modules/.bin/node), whatever node
// started this shim: type stripping and node:sqlite need Node 24.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const cli = join(root, "src", "cli", "main.ts");
const major = Number(process.versions.node.split(".")[0]);
const pinned = join(root, "node_modules", "node", "bin", "node");
const node = major >= 24 ? process.execPath : existsSync(pinned) ? pinned : null;
if (!node) {
  console.error("torgai needs Node.js 24: run `npm install` in the project first.");
  process.exit(2);
}
// Server processes get the same V8 flags as `npm start` (package.json): a small young generation
// keeps resident memory down (~30 MB idle, ~100 MB under load) at no measurable throughput cost.
const serverFlags = ["all", "web", "worker"].includes(process.argv[2]) ? ["--max-semi-space-size=4"] : [];
const result = spawnSync(node, [...serverFlags, cli, ...process.argv.slice(2)], { stdio: "inherit" });
if (result.signal) process.kill(process.pid, result.signal);
process.exit(result.status ?? 1);
