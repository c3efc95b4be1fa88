/**
 * What a person does in the browser during a Mastodon app's sign-in: open /oauth/authorize, fill in
 * the form, approve. Real HTTP against the running server, with a cookie jar.
 */
import { createHash, randomBytes } from "node:crypto";

function formFields(html: string): Record<string, string> {
  const form = /<form[^>]*method="post"[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) throw new Error(`no form on the page:\n${html.slice(0, 500)}`);
  const fields: Record<string, string> = {};
  for (const m of form[1].matchAll(/<input[^>]*type="hidden"[^>]*>/gi)) {
    const name = /name="([^"]*)"/.exec(m[0])?.[1];
    const value = /value="([^"]*)"/.exec(m[0])?.[1] ?? "";
    if (name)
      fields[name] = value
        .replace(/&amp;/g, "&")
        .replace(/&quot;/g, '"')
        .replace(/&#39;/g, "'");
  }
  return fields;
}

export function pkce() {
  const verifier = randomBytes(48).toString("base64url");
  const challenge = createHash("sha256").update(verifier).digest("base64url");
  return { verifier, challenge };
}

export async function signInWithBrowser(opts: {
  baseUrl: string;
  clientId: string;
  redirectUri: string;
  scope: string;
  login: string;
  password: string;
  codeChallenge?: string;
}): Promise<string> {
  const jar = new Map<string, string>();
  const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
  const keep = (res: Response) => {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const eq = pair.indexOf("=");
      jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
    return res;
  };
  const q = new URLSearchParams({
    response_type: "code",
    client_id: opts.clientId,
    redirect_uri: opts.redirectUri,
    scope: opts.scope,
    state: "xyz",
  });
  if (opts.codeChallenge) {
    q.set("code_challenge", opts.codeChallenge);
    q.set("code_challenge_method", "S256");
  }
  const page = keep(
    await fetch(`${opts.baseUrl}/oauth/authorize?${q}`, { headers: { cookie: cookieHeader() } }),
  );
  if (page.status !== 200) throw new Error(`authorize page: ${page.status} ${await page.text()}`);
  const fields = formFields(await page.text());
  const res = keep(
    await fetch(`${opts.baseUrl}/oauth/authorize`, {
      method: "POST",
      redirect: "manual",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        cookie: cookieHeader(),
        origin: opts.baseUrl,
      },
      body: new URLSearchParams({
        ...fields,
        login: opts.login,
        password: opts.password,
        decision: "approve",
      }),
    }),
  );
  const location = res.headers.get("location");
  if (res.status < 300 || res.status >= 400 || !location) {
    throw new Error(`sign-in did not redirect: ${res.status} ${(await res.text()).slice(0, 300)}`);
  }
  const back = new URL(location);
  if (back.searchParams.get("state") !== "xyz") throw new Error("state was not returned");
  const code = back.searchParams.get("code");
  if (!code) throw new Error(`no code in ${location}`);
  return code;
}
