import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { checkFile, checkTree } from "../scripts/check-layers.ts";

const api = join(import.meta.dirname, "api", "mastodon", "example.ts");
const messages = (text: string) => checkFile(api, text).map((v) => `${v.line}: ${v.message}`);

test("renderers may import kysely and store/ as types only, and never use ctx.db", () => {
  assert.deepEqual(
    messages(
      [
        'import type { Account } from "../../store/schema.ts";',
        'import { type Db } from "../../store/db.ts";',
        'import type { Selectable } from "kysely";',
        'export type { Status } from "../../store/schema.ts";',
        'import { hydrateStatuses } from "../../core/statuses/hydrate.ts";',
      ].join("\n"),
    ),
    [],
  );
  assert.deepEqual(
    messages(
      [
        'import { sql } from "kysely";',
        'import { prepared } from "../../store/prepared.ts";',
        'import { type Db, openStore } from "../../store/db.ts";',
        'export * from "../../store/queries/statuses.ts";',
        "const rows = (ctx: { db: unknown }) => ctx.db;",
        'const later = () => import("../../store/db.ts");',
      ].join("\n"),
    ),
    [
      "1: imports kysely (only `import type` is allowed here)",
      "2: imports src/store/prepared.ts (only `import type` is allowed here)",
      "3: imports src/store/db.ts (only `import type` is allowed here)",
      "4: imports src/store/queries/statuses.ts (only `import type` is allowed here)",
      "5: uses ctx.db (ask a core service)",
      "6: loads src/store/db.ts",
    ],
  );
});

test("the tree keeps the rule", () => {
  assert.deepEqual(checkTree(), []);
});
