/** Texts of the authorisation pages. Kazakh is the default; Russian and English are complete. */
export const LOCALES = ["kk", "ru", "en"] as const;
export type Locale = (typeof LOCALES)[number];

const kk = {
  htmlTitle: "Авторизация",
  signInTitle: "Кіру",
  authorizeTitle: "Қолданбаға рұқсат беру",
  appWants: "{app} қолданбасы аккаунтыңызға мына рұқсаттарды сұрайды:",
  login: "Электрондық пошта немесе пайдаланушы аты",
  password: "Құпиясөз",
  otp: "Аутентификатор қолданбасындағы 6 таңбалы код",
  otpPrompt: "Екі факторлы аутентификация қосулы. Кодты енгізіңіз.",
  signInAndAuthorize: "Кіру және рұқсат беру",
  authorize: "Рұқсат беру",
  deny: "Бас тарту",
  confirm: "Растау",
  signedInAs: "{user} ретінде кірдіңіз.",
  otherAccount: "Басқа аккаунтпен кіру",
  invalidCredentials: "Электрондық пошта, пайдаланушы аты немесе құпиясөз қате.",
  invalidOtp: "Код қате немесе ескірген.",
  pendingApproval: "Аккаунтыңыз әлі әкімші тарапынан мақұлданбаған.",
  disabled: "Аккаунтыңыз өшірілген.",
  tooMany: "Тым көп сәтсіз әрекет. Біраз уақыттан кейін қайталаңыз.",
  expired: "Беттің мерзімі өтті. Қайтадан көріңіз.",
  errorTitle: "Авторизация қатесі",
  unknownClient: "Қолданба табылмады (client_id қате).",
  badRedirect: "redirect_uri бұл қолданбаға тіркелмеген.",
  codeTitle: "Авторизация коды",
  codeHelp: "Осы кодты көшіріп, қолданбаға қойыңыз:",
  confirmTitle: "Электрондық поштаны растау",
  emailConfirmed: "Электрондық пошта мекенжайыңыз расталды. Енді қолданбаға оралуға болады.",
  confirmInvalid: "Сілтеме жарамсыз немесе бұрын пайдаланылған.",
  confirmExpired: "Сілтеменің мерзімі өтіп кеткен. Қолданбадан жаңа хат сұраңыз.",
  confirmTaken: "Бұл мекенжайды басқа аккаунт растап қойған.",
  website: "Қолданба сайты",
  "scope:read": "деректеріңізді оқу",
  "scope:write": "жазба жариялау және деректеріңізді өзгерту",
  "scope:follow": "жазылымдарды, бұғаттау мен елемеуді басқару",
  "scope:push": "push-хабарландырулар алу",
  "scope:profile": "профиліңіздің негізгі деректерін көру",
};

export type Messages = typeof kk;

const ru: Messages = {
  htmlTitle: "Авторизация",
  signInTitle: "Вход",
  authorizeTitle: "Разрешить доступ приложению",
  appWants: "Приложение {app} запрашивает доступ к вашей учётной записи:",
  login: "Эл. почта или имя пользователя",
  password: "Пароль",
  otp: "6-значный код из приложения-аутентификатора",
  otpPrompt: "Включена двухфакторная аутентификация. Введите код.",
  signInAndAuthorize: "Войти и разрешить",
  authorize: "Разрешить",
  deny: "Отклонить",
  confirm: "Подтвердить",
  signedInAs: "Вы вошли как {user}.",
  otherAccount: "Войти в другую учётную запись",
  invalidCredentials: "Неверный адрес, имя пользователя или пароль.",
  invalidOtp: "Неверный или устаревший код.",
  pendingApproval: "Ваша учётная запись ещё не одобрена администратором.",
  disabled: "Ваша учётная запись отключена.",
  tooMany: "Слишком много неудачных попыток. Повторите позже.",
  expired: "Срок действия страницы истёк. Попробуйте ещё раз.",
  errorTitle: "Ошибка авторизации",
  unknownClient: "Приложение не найдено (неверный client_id).",
  badRedirect: "redirect_uri не зарегистрирован для этого приложения.",
  codeTitle: "Код авторизации",
  codeHelp: "Скопируйте этот код и вставьте его в приложение:",
  confirmTitle: "Подтверждение электронной почты",
  emailConfirmed: "Адрес электронной почты подтверждён. Можно вернуться в приложение.",
  confirmInvalid: "Ссылка недействительна или уже использована.",
  confirmExpired: "Срок действия ссылки истёк. Запросите новое письмо в приложении.",
  confirmTaken: "Этот адрес уже подтверждён другой учётной записью.",
  website: "Сайт приложения",
  "scope:read": "читать ваши данные",
  "scope:write": "публиковать и изменять ваши данные",
  "scope:follow": "управлять подписками, блокировками и игнорированием",
  "scope:push": "получать push-уведомления",
  "scope:profile": "видеть основные данные вашего профиля",
};

const en: Messages = {
  htmlTitle: "Authorization",
  signInTitle: "Sign in",
  authorizeTitle: "Authorize application",
  appWants: "{app} is requesting access to your account:",
  login: "Email or username",
  password: "Password",
  otp: "6-digit code from your authenticator app",
  otpPrompt: "Two-factor authentication is enabled. Enter your code.",
  signInAndAuthorize: "Sign in and authorize",
  authorize: "Authorize",
  deny: "Deny",
  confirm: "Confirm",
  signedInAs: "You are signed in as {user}.",
  otherAccount: "Use another account",
  invalidCredentials: "Invalid email, username or password.",
  invalidOtp: "Invalid or expired code.",
  pendingApproval: "Your account has not been approved by an administrator yet.",
  disabled: "Your account is disabled.",
  tooMany: "Too many failed attempts. Try again later.",
  expired: "This page has expired. Please try again.",
  errorTitle: "Authorization error",
  unknownClient: "Unknown application (invalid client_id).",
  badRedirect: "The redirect_uri is not registered for this application.",
  codeTitle: "Authorization code",
  codeHelp: "Copy this code and paste it into the application:",
  confirmTitle: "E-mail confirmation",
  emailConfirmed: "Your e-mail address is confirmed. You can return to your app now.",
  confirmInvalid: "This link is invalid or has already been used.",
  confirmExpired: "This link has expired. Ask your app for a new e-mail.",
  confirmTaken: "Another account has already confirmed this address.",
  website: "Application website",
  "scope:read": "read your data",
  "scope:write": "post and change your data",
  "scope:follow": "manage follows, blocks and mutes",
  "scope:push": "receive push notifications",
  "scope:profile": "see your basic profile",
};

const CATALOG: Record<Locale, Messages> = { kk, ru, en };

export function messages(locale: Locale): Messages {
  return CATALOG[locale];
}

function isLocale(v: string): v is Locale {
  return (LOCALES as readonly string[]).includes(v);
}

/** `lang` query parameter first, then the best Accept-Language match, then Kazakh. */
export function chooseLocale(lang: string | undefined, acceptLanguage: string | undefined): Locale {
  const explicit = lang?.toLowerCase().split(/[-_]/)[0];
  if (explicit && isLocale(explicit)) return explicit;
  const ranked = (acceptLanguage ?? "")
    .split(",")
    .map((part, i) => {
      const [tag, ...params] = part.trim().split(";");
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find(Boolean);
      return { lang: tag.toLowerCase().split("-")[0], q: q ? Number(q) : 1, i };
    })
    .filter((e) => e.lang && e.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const e of ranked) if (isLocale(e.lang)) return e.lang;
  return "kk";
}

/** Human description of a scope; granular scopes are shown as they are. */
export function describeScope(m: Messages, scope: string): string {
  const key = `scope:${scope}` as keyof Messages;
  return key in m ? m[key] : scope;
}

export function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, k: string) => values[k] ?? "");
}
