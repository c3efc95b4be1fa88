import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import type { AppContext } from "../app.ts";
import { approveUser, findLocalUserByUsername, listLocalUsers, userStatus } from "../core/accounts/admin.ts";
import { enqueueConfirmationMail } from "../core/accounts/confirmation.ts";
import { createLocalAccount } from "../core/accounts/create.ts";
import { deleteAccount } from "../core/accounts/delete.ts";
import { changeAlias, moveLocalAccount, resolveAccountForMove } from "../core/accounts/move.ts";
import { revokeUserTokens } from "../core/auth/tokens.ts";
import { beginTotpEnrolment, confirmTotp, disableTotp } from "../core/auth/totp.ts";
import { TorgaiError } from "../core/errors.ts";

export interface CliOutput {
  log(s: string): void;
  error(s: string): void;
}

const USAGE = `Usage: torgai accounts <command> [options]
  create --username U [--email E] [--password P] [--admin|--moderator] [--confirmed]
                             create a local account (prints its id; a password is generated if omitted)
  list                       one line per local account: username, email, role, status
  approve --username U       approve an account registered while sign-ups need approval
  delete --username U        delete an account with its statuses and relationships (servers
                             that knew it hear a Delete)
  alias --username U --add H | --remove H
                             list (or stop listing) the account H (user@domain) as another
                             account of U, so that H may move to U; prints the aliases
  move --from U --to H       move U to the account H, which must list U as an alias: U's
                             followers everywhere are asked to follow H
  2fa enable --username U    start TOTP enrolment: prints the secret and otpauth:// URI
  2fa confirm --username U --code C
                             finish enrolment with a code from the authenticator app
  2fa disable --username U   turn two-factor authentication off`;

class UsageError extends Error {}

function parse(argv: string[], options: Record<string, { type: "string" | "boolean" }>) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function required(values: Record<string, unknown>, name: string): string {
  const v = values[name];
  if (typeof v !== "string" || v.trim() === "") throw new UsageError(`--${name} is required`);
  return v;
}

/**
 * `torgai accounts …`. Exit codes: 0 done, 1 the operation failed (duplicate, not found, invalid
 * value), 2 bad command line.
 */
export async function runAccountsCommand(ctx: AppContext, argv: string[], out: CliOutput): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "create": {
        const { values } = parse(rest, {
          username: { type: "string" },
          email: { type: "string" },
          password: { type: "string" },
          admin: { type: "boolean" },
          moderator: { type: "boolean" },
          confirmed: { type: "boolean" },
        });
        const username = required(values, "username");
        if (values.admin && values.moderator) throw new UsageError("use either --admin or --moderator");
        const given = typeof values.password === "string" ? values.password : undefined;
        const password = given ?? randomBytes(12).toString("base64url");
        const { account } = await createLocalAccount(ctx, {
          username,
          email: typeof values.email === "string" ? values.email : null,
          password,
          role: values.admin ? "admin" : values.moderator ? "moderator" : "user",
          confirmed: !!values.confirmed,
          allowReserved: true,
          // with mail configured an unconfirmed user is mailed a link (the worker sends it)
          within: async (trx, { user }) => {
            if (!user.confirmed_at && user.email) await enqueueConfirmationMail(ctx, trx, user.id);
          },
        });
        out.log(account.id);
        if (given === undefined) out.error(`Generated password for ${username}: ${password}`);
        return 0;
      }
      case "list": {
        parse(rest, {});
        for (const u of await listLocalUsers(ctx)) {
          out.log([u.account.username, u.user.email ?? "-", u.user.role, userStatus(u)].join("\t"));
        }
        return 0;
      }
      case "approve": {
        const { values } = parse(rest, { username: { type: "string" } });
        const { user, account } = await findLocalUserByUsername(ctx, required(values, "username"));
        await approveUser(ctx, user.id);
        out.log(`Approved ${account.username}`);
        return 0;
      }
      case "delete": {
        const { values } = parse(rest, { username: { type: "string" } });
        const { user, account } = await findLocalUserByUsername(ctx, required(values, "username"));
        await revokeUserTokens(ctx, user.id);
        const { statuses } = await deleteAccount(ctx, account.id);
        out.log(`Deleted ${account.username} (${statuses} statuses)`);
        return 0;
      }
      case "alias": {
        const { values } = parse(rest, {
          username: { type: "string" },
          add: { type: "string" },
          remove: { type: "string" },
        });
        const { account } = await findLocalUserByUsername(ctx, required(values, "username"));
        const add = typeof values.add === "string" ? values.add : null;
        const remove = typeof values.remove === "string" ? values.remove : null;
        if (!add === !remove) throw new UsageError("alias needs one of --add or --remove");
        const alias = await resolveAccountForMove(ctx, (add ?? remove) as string);
        const list = await changeAlias(ctx, account.id, alias, add ? "add" : "remove");
        for (const uri of list) out.log(uri);
        return 0;
      }
      case "move": {
        const { values } = parse(rest, { from: { type: "string" }, to: { type: "string" } });
        const { account } = await findLocalUserByUsername(ctx, required(values, "from"));
        const target = await resolveAccountForMove(ctx, required(values, "to"));
        await moveLocalAccount(ctx, account.id, target);
        const acct = target.domain ? `${target.username}@${target.domain}` : target.username;
        out.log(`Moved ${account.username} to ${acct}`);
        return 0;
      }
      case "2fa": {
        const [action, ...opts] = rest;
        const { values } = parse(opts, { username: { type: "string" }, code: { type: "string" } });
        if (!["enable", "confirm", "disable"].includes(action ?? "")) {
          throw new UsageError("2fa needs one of: enable, confirm, disable");
        }
        const { user, account } = await findLocalUserByUsername(ctx, required(values, "username"));
        if (action === "enable") {
          const { secret, uri } = await beginTotpEnrolment(ctx, user.id);
          out.log(`secret: ${secret}`);
          out.log(`uri: ${uri}`);
          out.log(
            `Add it to an authenticator app, then run: torgai accounts 2fa confirm --username ${account.username} --code NNNNNN`,
          );
        } else if (action === "confirm") {
          await confirmTotp(ctx, user.id, required(values, "code"));
          out.log(`Two-factor authentication enabled for ${account.username}`);
        } else {
          await disableTotp(ctx, user.id);
          out.log(`Two-factor authentication disabled for ${account.username}`);
        }
        return 0;
      }
      case undefined:
      case "help":
      case "--help":
        out.log(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command: ${command}`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      out.error(`Error: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    if (err instanceof TorgaiError) {
      out.error(`Error: ${err.message.replace(/^Validation failed: /, "")}`);
      return 1;
    }
    throw err;
  }
}
