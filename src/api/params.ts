import type { Context } from "hono";
import { z } from "zod";
import { ValidationError } from "../core/errors.ts";

type Params = Record<string, unknown>;

/**
 * Sets `key` (Rails-style brackets: `a[]`, `a[b]`, `a[0][name]`) on `target`. Mastodon clients send
 * form bodies and query strings in this form (`media_ids[]`, `poll[options][]`, `types[]`).
 */
export function setBracketed(target: Params, key: string, value: unknown): void {
  const parts: string[] = [];
  const first = key.indexOf("[");
  if (first === -1 || !key.endsWith("]")) {
    target[key] = value;
    return;
  }
  parts.push(key.slice(0, first));
  for (const m of key.slice(first).matchAll(/\[([^\]]*)\]/g)) parts.push(m[1]);
  let node: Params = target;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    const last = i === parts.length - 1;
    const nextIsArray = !last && parts[i + 1] === "";
    if (part === "__proto__" || part === "constructor" || part === "prototype") return;
    if (last) {
      if (part === "") (node as unknown as unknown[]).push(value);
      else node[part] = value;
      return;
    }
    if (part === "") {
      const arr = node as unknown as unknown[];
      const obj: Params = {};
      arr.push(obj);
      node = obj;
      continue;
    }
    const existing = node[part];
    if (nextIsArray) {
      if (!Array.isArray(existing)) node[part] = [];
    } else if (existing === null || typeof existing !== "object") {
      node[part] = {};
    }
    node = node[part] as Params;
  }
}

/** NUL cannot be stored by PostgreSQL (SQLite would keep it): refused in any parameter, on both. */
function refuseNul(value: unknown): void {
  if (typeof value === "string" && value.includes("\u0000"))
    throw new ValidationError("Validation failed: invalid character");
}

function fromEntries(entries: Iterable<[string, unknown]>): Params {
  const out: Params = Object.create(null);
  for (const [k, v] of entries) {
    refuseNul(k);
    refuseNul(v);
    if (k.endsWith("[]") || k.includes("[")) setBracketed(out, k, v);
    else out[k] = v;
  }
  return { ...out };
}

export function queryParams(c: Context): Params {
  const url = new URL(c.req.url);
  return fromEntries(url.searchParams.entries());
}

/** Reads a request body in any of the encodings Mastodon accepts (JSON, urlencoded, multipart). */
export async function bodyParams(c: Context): Promise<Params> {
  const type = (c.req.header("content-type") ?? "").toLowerCase();
  try {
    if (type.includes("application/json")) {
      const text = await c.req.text();
      if (text.trim() === "") return {};
      const parsed: unknown = JSON.parse(text, (k, v) => {
        refuseNul(k);
        refuseNul(v);
        return v;
      });
      if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
        throw new ValidationError("Request body must be a JSON object");
      }
      return parsed as Params;
    }
    if (type.includes("application/x-www-form-urlencoded")) {
      return fromEntries(new URLSearchParams(await c.req.text()).entries());
    }
    if (type.includes("multipart/form-data")) {
      const form = await c.req.formData();
      return fromEntries(form.entries() as Iterable<[string, unknown]>);
    }
  } catch (err) {
    if (err instanceof ValidationError) throw err;
    throw new ValidationError("Could not parse the request body");
  }
  return {};
}

/** Query string merged under the body (body wins), as Rails does for Mastodon. */
export async function allParams(c: Context): Promise<Params> {
  return { ...queryParams(c), ...(await bodyParams(c)) };
}

/** Validates params with a zod schema; failures become 422 with a readable message. */
export function validate<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input);
  if (!r.success) {
    const first = r.error.issues[0];
    const where = first.path.length ? `${first.path.join(".")}: ` : "";
    throw new ValidationError(`Validation failed: ${where}${first.message}`, {
      details: r.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
    });
  }
  return r.data;
}

/** Boolean as clients send it: true/false, "true"/"false", "1"/"0", "on"/"off". */
export const zBool = z.preprocess((v) => {
  if (typeof v === "boolean") return v;
  if (typeof v === "number") return v !== 0;
  if (typeof v === "string") {
    const s = v.toLowerCase();
    if (["true", "1", "on", "yes", "t"].includes(s)) return true;
    if (["false", "0", "off", "no", "f", ""].includes(s)) return false;
  }
  return v;
}, z.boolean());

export const zInt = (min: number, max: number) =>
  z.preprocess(
    (v) => (typeof v === "string" && v.trim() !== "" ? Number(v) : v),
    z.number().int().min(min).max(max),
  );

export const zId = z.string().regex(/^\d{1,20}$/, "must be an id");

/** A list that may arrive as an array, a single value, or an object keyed 0,1,2 (form encoding). */
export const zList = <T extends z.ZodType>(item: T) =>
  z.preprocess((v) => {
    if (v === undefined || v === null || v === "") return undefined;
    if (Array.isArray(v)) return v;
    if (typeof v === "object") return Object.values(v as object);
    return [v];
  }, z.array(item).optional());
