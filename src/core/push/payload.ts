/**
 * What a push message says: Mastodon's Web::NotificationSerializer fields (access_token,
 * preferred_locale, notification_id, notification_type, icon, title, body), with the title in the
 * recipient's language (kk by default, ru, en). Apps show title and body as they are, or use
 * notification_id with access_token to fetch the notification and render it themselves.
 *
 * notification_id is a string: our ids are 18 digits, beyond what a JavaScript number holds
 * exactly (GoToSocial, whose ids are not numbers either, sends strings too).
 */
import { htmlToText } from "../filter-match.ts";

export interface PushMessage {
  access_token: string;
  preferred_locale: string;
  notification_id: string;
  notification_type: string;
  icon: string;
  title: string;
  body: string;
}

type Titles = Record<string, (name: string) => string>;

const TITLES: Record<"kk" | "ru" | "en", Titles> = {
  kk: {
    mention: (n) => `${n} сізді атап өтті`,
    status: (n) => `${n} жаңа жазба жариялады`,
    reblog: (n) => `${n} жазбаңызды бөлісті`,
    follow: (n) => `${n} сізге жазылды`,
    follow_request: (n) => `Жазылу сұрауы: ${n}`,
    favourite: (n) => `${n} жазбаңызды ұнатты`,
    poll: (n) => `${n} сауалнамасы аяқталды`,
    update: (n) => `${n} жазбасын өңдеді`,
    quote: (n) => `${n} жазбаңызды дәйексөз етті`,
    quoted_update: (n) => `${n} сіз дәйексөз еткен жазбаны өңдеді`,
    "admin.sign_up": (n) => `${n} тіркелді`,
    "admin.report": (n) => `${n} жаңа шағым жіберді`,
    other: (n) => `${n}: жаңа хабарландыру`,
  },
  ru: {
    mention: (n) => `${n} упомянул(а) вас`,
    status: (n) => `${n} опубликовал(а) пост`,
    reblog: (n) => `${n} продвинул(а) ваш пост`,
    follow: (n) => `${n} подписался(-ась) на вас`,
    follow_request: (n) => `Запрос на подписку: ${n}`,
    favourite: (n) => `${n} добавил(а) ваш пост в избранное`,
    poll: (n) => `Опрос ${n} завершён`,
    update: (n) => `${n} изменил(а) пост`,
    quote: (n) => `${n} процитировал(а) ваш пост`,
    quoted_update: (n) => `${n} изменил(а) пост, который вы процитировали`,
    "admin.sign_up": (n) => `${n} зарегистрировался(-ась)`,
    "admin.report": (n) => `${n} отправил(а) новую жалобу`,
    other: (n) => `${n}: новое уведомление`,
  },
  en: {
    mention: (n) => `You were mentioned by ${n}`,
    status: (n) => `${n} just posted`,
    reblog: (n) => `${n} boosted your post`,
    follow: (n) => `${n} is now following you`,
    follow_request: (n) => `Pending follower: ${n}`,
    favourite: (n) => `${n} favorited your post`,
    poll: (n) => `A poll by ${n} has ended`,
    update: (n) => `${n} edited a post`,
    quote: (n) => `${n} quoted your post`,
    quoted_update: (n) => `${n} edited a post you have quoted`,
    "admin.sign_up": (n) => `${n} signed up`,
    "admin.report": (n) => `${n} filed a new report`,
    other: (n) => `New notification from ${n}`,
  },
};

/** The recipient's language if we speak it, else Kazakh (the instance's default, as for mail). */
export function pushLocale(locale: string): "kk" | "ru" | "en" {
  const base = locale.toLowerCase().split(/[-_]/)[0] ?? "";
  return base === "ru" || base === "en" ? base : "kk";
}

export function pushTitle(locale: string, type: string, name: string): string {
  const titles = TITLES[pushLocale(locale)];
  return (titles[type] ?? titles.other ?? String)(name);
}

/** Mastodon's 140 characters (code points, so a Kazakh or emoji character is never cut in half). */
const BODY_MAX = 140;

export function pushBody(input: {
  spoilerText?: string | null;
  contentHtml?: string | null;
  noteHtml?: string;
}): string {
  const text = (
    input.spoilerText?.trim() ||
    htmlToText(input.contentHtml ?? "") ||
    htmlToText(input.noteHtml ?? "")
  )
    .replace(/\s+/g, " ")
    .trim();
  const chars = [...text];
  return chars.length > BODY_MAX ? `${chars.slice(0, BODY_MAX - 1).join("")}…` : text;
}
