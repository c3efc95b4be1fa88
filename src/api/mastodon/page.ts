import { type PageParams, pageSchema } from "../pagination.ts";
import { validate } from "../params.ts";

// pageSchema() builds a new zod schema per call and zod compiles each new schema on first use
// (~0.2 ms, a tenth of a home-timeline request), so the graph/timeline routes reuse one per shape.
// TODO(pagination.ts owner): memoize inside parsePage and drop this file.
const schemas = new Map<string, ReturnType<typeof pageSchema>>();

/** parsePage with a cached schema per (default, max) pair. */
export function pageOf(query: Record<string, unknown>, defaultLimit = 20, maxLimit = 40): PageParams {
  const key = `${defaultLimit}:${maxLimit}`;
  let schema = schemas.get(key);
  if (!schema) {
    schema = pageSchema(defaultLimit, maxLimit);
    schemas.set(key, schema);
  }
  const p = validate(schema, query);
  return { maxId: p.max_id, sinceId: p.since_id, minId: p.min_id, limit: p.limit };
}
