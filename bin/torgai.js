#!/usr/bin/env node
// Runs the TypeScript CLI on the project's pinned Node 24 (node_modules/.bin/node), whatever node
// started this shim: type stripping and node:sqlite need Node 24.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const cli = join(root, "src", "cli", "main.ts");
const major = Number(process.versions.node.split(".")[0]);
const pinned = join(root, "node_modules", "node", "bin", "node");
const node = major >= 24 ? process.execPath : existsSync(pinned) ? pinned : null;
if (!node) {
  console.error("torgai needs Node.js 24: run `npm install` in the project first.");
  process.exit(2);
}
// Server processes get the Node flags of `npm start`, read from package.json so that both run the
// same (see the README's Memory paragraph): a small young generation, two V8 helper threads, and
// bin/compile-cache.js, which keeps Node's TypeScript stripper out of the long-running process.
function startFlags() {
  const start = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).scripts.start;
  const flags = start.split(/\s+/).slice(1, -2); // node <flags…> src/main.ts all
  // a preload named relative to the project (npm start runs there) is named absolutely here
  return flags.map((f, i) =>
    flags[i - 1] === "--import" && f.startsWith(".") ? pathToFileURL(join(root, f)).href : f,
  );
}
const serverFlags = ["all", "web", "worker"].includes(process.argv[2]) ? startFlags() : [];
const result = spawnSync(node, [...serverFlags, cli, ...process.argv.slice(2)], { stdio: "inherit" });
if (result.signal) process.kill(process.pid, result.signal);
process.exit(result.status ?? 1);
