/**
 * The layering rule the linter cannot state (Biome's noRestrictedImports reports type-only imports
 * too): `src/api/**`, `src/web/**` and `src/federation/converters/**` get bundles from core and
 * render them, so they import neither `kysely` nor anything under `src/store/` except as types,
 * and never reach for the database through the context (`ctx.db`, `ctx.store`). Tests and test
 * helpers are exempt (they set up rows).
 *
 *   node scripts/check-layers.ts     exit 1 and a line per violation when any
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import ts from "typescript";

const root = resolve(import.meta.dirname, "..");
const RENDERERS = ["src/api", "src/web", "src/federation/converters"];
const STORE = join(root, "src", "store") + sep;

function isExempt(file: string): boolean {
  return /\.test\.tsx?$/.test(file);
}

function* sources(dir: string): Generator<string> {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return; // a layer that does not exist yet
  }
  for (const name of entries) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* sources(path);
    else if (/\.tsx?$/.test(name) && !isExempt(name)) yield path;
  }
}

/** Why `specifier` is off limits from `file`, or null when it is not. */
function restricted(file: string, specifier: string): string | null {
  if (specifier === "kysely" || specifier.startsWith("kysely/")) return "kysely";
  if (specifier.startsWith(".")) {
    const target = resolve(dirname(file), specifier);
    if (target.startsWith(STORE)) return relative(root, target);
  }
  return null;
}

/** Whether an import or export declaration brings in values (not only types). */
function bringsValues(node: ts.ImportDeclaration | ts.ExportDeclaration): boolean {
  if (ts.isExportDeclaration(node)) {
    if (node.isTypeOnly) return false;
    const clause = node.exportClause;
    if (clause && ts.isNamedExports(clause)) return clause.elements.some((e) => !e.isTypeOnly);
    return true; // export * from
  }
  const clause = node.importClause;
  if (!clause) return true; // import "x" runs the module
  if (clause.isTypeOnly) return false;
  if (clause.name) return true;
  const bindings = clause.namedBindings;
  if (!bindings) return false;
  if (ts.isNamespaceImport(bindings)) return true;
  // `import {} from` and `import { type A, type B } from` are erased
  return bindings.elements.some((e) => !e.isTypeOnly);
}

export interface Violation {
  file: string;
  line: number;
  message: string;
}

export function checkFile(file: string, text: string): Violation[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const out: Violation[] = [];
  const report = (node: ts.Node, message: string) =>
    out.push({
      file: relative(root, file),
      line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1,
      message,
    });
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      const spec = (node.moduleSpecifier as ts.StringLiteral).text;
      const what = restricted(file, spec);
      if (what && bringsValues(node)) report(node, `imports ${what} (only \`import type\` is allowed here)`);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      const spec = (node.moduleReference.expression as ts.StringLiteral).text;
      const what = restricted(file, spec);
      if (what && !node.isTypeOnly) report(node, `imports ${what}`);
    } else if (
      ts.isCallExpression(node) &&
      (node.expression.kind === ts.SyntaxKind.ImportKeyword ||
        (ts.isIdentifier(node.expression) && node.expression.text === "require")) &&
      node.arguments[0] &&
      ts.isStringLiteralLike(node.arguments[0])
    ) {
      const what = restricted(file, node.arguments[0].text);
      if (what) report(node, `loads ${what}`);
    } else if (
      ts.isPropertyAccessExpression(node) &&
      ts.isIdentifier(node.expression) &&
      node.expression.text === "ctx" &&
      (node.name.text === "db" || node.name.text === "store")
    ) {
      report(node, `uses ctx.${node.name.text} (ask a core service)`);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

export function checkTree(): Violation[] {
  const out: Violation[] = [];
  for (const layer of RENDERERS)
    for (const file of sources(join(root, layer))) out.push(...checkFile(file, readFileSync(file, "utf8")));
  return out;
}

if (import.meta.main) {
  const violations = checkTree();
  for (const v of violations) console.error(`${v.file}:${v.line}: ${v.message}`);
  if (violations.length > 0) {
    console.error(
      `\n${violations.length} layering violation(s): api/, web/ and federation/converters/ render bundles from core and never touch store/ or kysely (docs/internals.md).`,
    );
    process.exit(1);
  }
  console.log("layers: ok");
}
