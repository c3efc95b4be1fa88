/**
 * Several Torgai servers in one test, each on its own localhost port (so its own domain,
 * `127.0.0.1:<port>`), its own store and its own job workers, federating over real HTTP through
 * the real queue. Private addresses are allowed for them (TORGAI_ALLOW_PRIVATE_NETWORK=1).
 */
import { createServer } from "node:net";
import { createRestAPIClient, type mastodon } from "masto";
import type { AppContext } from "../../src/app.ts";
import { closeContext } from "../../src/app.ts";
import { listenWhenMessagesWait } from "../../src/jobs/message-listeners.ts";
import { type RunningServer, startServer } from "../../src/server.ts";
import { createTestContext, createTestUser, type StoreKind, type TestUser } from "./harness.ts";

export interface Instance {
  ctx: AppContext;
  /** http://127.0.0.1:<port> */
  url: string;
  /** 127.0.0.1:<port>, the domain in remote handles */
  domain: string;
  server: RunningServer;
  /** a local user with a token and a masto client */
  user(opts?: { username?: string; locked?: boolean }): Promise<FederatedUser>;
  stop(): Promise<void>;
}

export interface FederatedUser extends TestUser {
  masto: mastodon.rest.Client;
  /** user@domain as other servers name it */
  handle: string;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function startInstance(kind: StoreKind, config: Record<string, string> = {}): Promise<Instance> {
  const port = await freePort();
  const domain = `127.0.0.1:${port}`;
  const ctx = await createTestContext(kind, {
    config: {
      TORGAI_DOMAIN: domain,
      TORGAI_PROTOCOL: "http",
      TORGAI_ALLOW_PRIVATE_NETWORK: "1",
      PORT: String(port),
      ...config,
    },
  });
  const server = await startServer(ctx, { port, host: "127.0.0.1" });
  // as `torgai all` does: Fedify's messages are consumed here once there are any
  listenWhenMessagesWait(ctx, () => ctx.federation.listen());
  ctx.queue.start(4, 50);
  const url = `http://${domain}`;
  let stopped = false;
  return {
    ctx,
    url,
    domain,
    server,
    async user(opts = {}) {
      const u = await createTestUser(ctx, opts);
      return {
        ...u,
        masto: createRestAPIClient({ url, accessToken: u.token }),
        handle: `${u.account.username}@${domain}`,
      };
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.close();
      await closeContext(ctx);
    },
  };
}

/** Polls `probe` until it returns a truthy value (or throws the last error after `timeoutMs`). */
export async function eventually<T>(
  probe: () => Promise<T>,
  timeoutMs = 15_000,
  what = "condition",
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ""}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
