/** Test support for the OAuth flows: a cookie jar, PKCE pairs and form scraping. */
import { randomBytes } from "node:crypto";
import type { AppContext } from "../../src/app.ts";
import { s256 } from "../../src/core/auth/codes.ts";
import { apiCaller } from "./harness.ts";

export function pkcePair() {
  const verifier = randomBytes(48).toString("base64url");
  return { verifier, challenge: s256(verifier) };
}

export function hiddenValue(html: string, name: string): string {
  const m = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  if (!m) throw new Error(`no hidden field ${name}`);
  return m[1];
}

/** A browser stand-in: keeps cookies between requests to the in-process app (from `ip`, if set). */
export function browser(ctx: AppContext) {
  const call = apiCaller(ctx, null);
  const jar = new Map<string, string>();
  const remember = (res: Response) => {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (/max-age=0/i.test(line) || value === "") jar.delete(name);
      else jar.set(name, value);
    }
    return res;
  };
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
  const self = {
    jar,
    ip: undefined as string | undefined,
    get: async (path: string, headers: Record<string, string> = {}) =>
      remember(await call(path, { headers: { cookie: cookie(), ...headers }, remoteAddress: self.ip })),
    post: async (path: string, form: Record<string, string>, headers: Record<string, string> = {}) =>
      remember(
        await call(path, {
          method: "POST",
          form,
          headers: { cookie: cookie(), ...headers },
          remoteAddress: self.ip,
        }),
      ),
  };
  return self;
}

export async function registerTestApp(
  ctx: AppContext,
  opts: { redirectUri?: string; scopes?: string } = {},
): Promise<{ client_id: string; client_secret: string; redirect_uri: string; id: string }> {
  const res = await apiCaller(ctx)("/api/v1/apps", {
    json: {
      client_name: "Test client",
      redirect_uris: opts.redirectUri ?? "https://client.example/callback",
      scopes: opts.scopes ?? "read write follow",
    },
  });
  if (res.status !== 200) throw new Error(`app registration failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as { client_id: string; client_secret: string; redirect_uri: string; id: string };
}

export function authorizeQuery(params: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, v);
  return `/oauth/authorize?${q.toString()}`;
}
