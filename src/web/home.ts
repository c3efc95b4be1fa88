import { createHash } from "node:crypto";
import { Hono } from "hono";
import type { HonoEnv } from "../api/context.ts";
import type { AppContext } from "../app.ts";
import { instanceStats } from "../core/instance.ts";
import { escapeHtml as esc } from "../core/text/escape.ts";

/**
 * The landing page at `/`: what this server is and how to use it (the web client comes later).
 * Server-rendered, no JavaScript, Kazakh by default; Russian and English by Accept-Language or ?lang=.
 */
type Locale = "kk" | "ru" | "en";

const TEXT: Record<Locale, Record<string, string>> = {
  kk: {
    lead: "Торғай — қазақ интернетінің федеративті микроблог желісі.",
    users: "Пайдаланушылар",
    posts: "Жазбалар",
    howTitle: "Қалай қосылуға болады",
    how: "Кез келген Mastodon қолданбасын (Tusky, Ivory, Phanpy, Elk…) ашып, сервер ретінде осы мекенжайды енгізіңіз:",
    signup: "Тіркелу:",
    open: "ашық",
    approval: "әкімші мақұлдауымен",
    closed: "жабық",
    api: "Mastodon API",
  },
  ru: {
    lead: "Торгай — федеративная микроблог-сеть казахского интернета.",
    users: "Пользователи",
    posts: "Записи",
    howTitle: "Как подключиться",
    how: "Откройте любое приложение Mastodon (Tusky, Ivory, Phanpy, Elk…) и укажите адрес этого сервера:",
    signup: "Регистрация:",
    open: "открыта",
    approval: "с одобрением администратора",
    closed: "закрыта",
    api: "Mastodon API",
  },
  en: {
    lead: "Torgai is the federated microblogging network of the Kazakh internet.",
    users: "Users",
    posts: "Posts",
    howTitle: "How to join",
    how: "Open any Mastodon app (Tusky, Ivory, Phanpy, Elk…) and enter this server's address:",
    signup: "Sign-ups:",
    open: "open",
    approval: "approved by an administrator",
    closed: "closed",
    api: "Mastodon API",
  },
};

export function pageLocale(lang: string | undefined, accept: string | undefined): Locale {
  if (lang === "kk" || lang === "ru" || lang === "en") return lang;
  for (const part of (accept ?? "").split(",")) {
    const code = part.trim().slice(0, 2).toLowerCase();
    if (code === "kk" || code === "ru" || code === "en") return code;
  }
  return "kk";
}

const CSS = `body{margin:0;font:17px/1.55 system-ui,sans-serif;background:#f2f4f7;color:#1c2430}
main{max-width:34rem;margin:2rem auto;padding:1.5rem;background:#fff;border-radius:12px}
h1{margin:0 0 .3rem}dl{display:flex;gap:2rem}dt{color:#5a6575;font-size:.9rem}dd{margin:0;font-size:1.4rem}
code{background:#f2f4f7;padding:.2rem .4rem;border-radius:6px}nav a{margin-right:1rem}`;
const CSP = `default-src 'none'; style-src 'sha256-${createHash("sha256").update(CSS).digest("base64")}'; base-uri 'none'; frame-ancestors 'none'`;

export function homeRoutes(ctx: AppContext): Hono<HonoEnv> {
  const app = new Hono<HonoEnv>();
  app.get("/", async (c) => {
    const locale = pageLocale(c.req.query("lang"), c.req.header("accept-language"));
    const t = TEXT[locale];
    const stats = await instanceStats(ctx);
    const html = `<!doctype html><html lang="${locale}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(ctx.config.instanceTitle)}</title>
<style>${CSS}</style></head><body><main>
<h1>${esc(ctx.config.instanceTitle)}</h1><p>${esc(ctx.config.instanceDescription)}</p><p>${esc(t.lead)}</p>
<dl><div><dt>${esc(t.users)}</dt><dd>${stats.userCount}</dd></div><div><dt>${esc(t.posts)}</dt><dd>${stats.statusCount}</dd></div></dl>
<h2>${esc(t.howTitle)}</h2><p>${esc(t.how)} <code>${esc(ctx.config.domain)}</code></p>
<p>${esc(t.signup)} ${esc(t[ctx.config.registrations])}</p>
<nav><a href="?lang=kk">Қазақша</a><a href="?lang=ru">Русский</a><a href="?lang=en">English</a>
<a href="/api/v2/instance">${esc(t.api)}</a></nav>
</main></body></html>`;
    return c.html(html, 200, {
      "Content-Security-Policy": CSP,
      "Content-Language": locale,
    });
  });
  return app;
}
