// Preloaded into every server process (`node --import ./bin/compile-cache.js src/main.ts all`, as
// `npm start` and bin/torgai.js run it): turns on Node's compile cache, which keeps each module's
// type-stripped JavaScript and V8 code on disk. A process whose every TypeScript file comes from the
// cache never loads Node's TypeScript stripper (amaro, swc built to WebAssembly), which otherwise
// stays resident for the process's whole life: about 20 MB of an idle server's 125 (bench/memory.ts).
// The sources stay the TypeScript that runs; Node checks each cached entry against the file's
// content and strips again whatever changed.
//
// The first start after the code changed would strip in the server itself, so that start warms the
// cache first in a short-lived child process (a second or two, once). Written in JavaScript because
// a TypeScript preload would load the stripper itself. NODE_DISABLE_COMPILE_CACHE=1 turns it all off;
// NODE_COMPILE_CACHE=<dir> moves the cache (default: Node's, under the system's temporary directory).

// builtins through getBuiltinModule, not `import`: an ESM import of node:fs builds its namespace,
// which runs every lazy getter (fs.promises and its streams: 34 more builtins, 3 MB resident)
const { readdirSync, readFileSync, statSync, writeFileSync } = process.getBuiltinModule("node:fs");
const nodeModule = process.getBuiltinModule("node:module");
const { dirname, join, relative } = process.getBuiltinModule("node:path");
const { fileURLToPath, pathToFileURL } = process.getBuiltinModule("node:url");

const WARMING = "TORGAI_COMPILE_CACHE_WARMING";
const src = join(dirname(fileURLToPath(import.meta.url)), "..", "src");

/** Every TypeScript module a server may load: src/ without its tests (test helpers live in test/). */
function serverSources(dir, out = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) serverSources(path, out);
    else if (entry.name.endsWith(".ts") && !/\.test\.ts$|\.d\.ts$/.test(entry.name)) out.push(path);
  }
  return out;
}

/** FNV-1a, enough to name a stamp file after the Node version and flags. */
function fnv(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, "0");
}

/**
 * The flags the warm-up child runs with, which also name the stamp: this process's, less its own
 * script (-e/-p and their value, --input-type) and its profiling and debugging flags, which are
 * this process's business.
 */
function warmUpFlags(argv) {
  const out = [];
  for (let i = 0; i < argv.length; i++) {
    const f = argv[i];
    if (f === "-e" || f === "--eval" || f === "-p" || f === "--print") i++;
    else if (!/^--(eval|print|input-type|cpu-prof|heap-prof|inspect|prof|diagnostic-dir)/.test(f))
      out.push(f);
  }
  return out;
}
const childFlags = warmUpFlags(process.execArgv);

// (Node 22.1 and later; the project's pinned Node is 24)
const { status, directory } = nodeModule.enableCompileCache?.() ?? {};
const { ENABLED, ALREADY_ENABLED } = nodeModule.constants?.compileCacheStatus ?? {};
if (status !== undefined && (status === ENABLED || status === ALREADY_ENABLED) && directory) {
  const files = serverSources(src);
  if (process.env[WARMING]) {
    // the warm-up child: load every module once (modules only define things; the entry points run
    // only as `import.meta.main`), write the cache and exit before the -e script
    for (const file of files) {
      try {
        await import(pathToFileURL(file).href);
      } catch {
        // a module that cannot load here is stripped again by the server; nothing else changes
      }
    }
    nodeModule.flushCompileCache?.();
    process.exit(0);
  }
  const stamp = join(directory, `torgai-${fnv(`${process.version} ${childFlags.join(" ")}`)}.stamp`);
  const fingerprint = files
    .map((file) => {
      const s = statSync(file);
      return `${relative(src, file)} ${s.size} ${s.mtimeMs}`;
    })
    .sort()
    .join("\n");
  let warm = false;
  try {
    warm = readFileSync(stamp, "utf8") === fingerprint;
  } catch {}
  if (!warm) {
    // loaded only here: child_process pulls in net, dgram and streams that a start may not need yet
    const { spawnSync } = process.getBuiltinModule("node:child_process");
    spawnSync(process.execPath, [...childFlags, "-e", "0"], {
      env: { ...process.env, [WARMING]: "1" },
      stdio: "ignore",
      timeout: 120_000,
    });
    try {
      writeFileSync(stamp, fingerprint);
    } catch {}
  }
}
