import { parseArgs } from "node:util";
import type { AppContext } from "../app.ts";
import { TorgaiError } from "../core/errors.ts";
import {
  blockDomain,
  listDeadDeliveries,
  listDomainBlocks,
  listInstances,
  type Severity,
  unblockDomain,
} from "../core/fediverse/instances.ts";
import type { CliOutput } from "./accounts.ts";

const USAGE = `Usage: torgai federation <command> [options]
  instances                  every known server: accounts, delivery failures, availability, block
  failures                   servers whose deliveries are failing (or that are marked unavailable)
  dead [--limit N]           deliveries that exhausted their retries (dead letters)
  blocks                     domain blocks
  block DOMAIN [--severity suspend|silence|noop] [--reject-media] [--reject-reports]
               [--public-comment TEXT] [--private-comment TEXT]
                             block a server (and its subdomains); suspend is the default
  unblock DOMAIN             lift a domain block`;

class UsageError extends Error {}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

const day = (iso: string | null) => (iso ? iso.slice(0, 16).replace("T", " ") : "-");

/** `torgai federation …`. Exit codes: 0 done, 1 the operation failed, 2 bad command line. */
export async function runFederationCommand(ctx: AppContext, argv: string[], out: CliOutput): Promise<number> {
  const [command, ...rest] = argv;
  try {
    const { values, positionals } = (() => {
      try {
        return parseArgs({
          args: rest,
          allowPositionals: true,
          strict: true,
          options: {
            limit: { type: "string" },
            severity: { type: "string" },
            "reject-media": { type: "boolean" },
            "reject-reports": { type: "boolean" },
            "public-comment": { type: "string" },
            "private-comment": { type: "string" },
          },
        });
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
    })();
    switch (command) {
      case "instances":
      case "failures": {
        const list = await listInstances(ctx, { failingOnly: command === "failures" });
        if (list.length === 0) {
          out.log(command === "failures" ? "No failing deliveries" : "No known servers");
          return 0;
        }
        out.log(
          table([
            ["DOMAIN", "ACCOUNTS", "FAILURES", "LAST FAILURE", "UNAVAILABLE SINCE", "BLOCK", "LAST ERROR"],
            ...list.map((i) => [
              i.domain,
              String(i.accounts),
              String(i.failures),
              day(i.lastFailureAt),
              day(i.unavailableAt),
              i.block ?? "-",
              (i.lastError ?? "").slice(0, 60),
            ]),
          ]),
        );
        return 0;
      }
      case "dead": {
        const limit = values.limit ? Number(values.limit) : 50;
        if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
          throw new UsageError("--limit must be 1..1000");
        const list = await listDeadDeliveries(ctx, limit);
        if (list.length === 0) {
          out.log("No dead deliveries");
          return 0;
        }
        out.log(
          table([
            ["JOB", "TYPE", "TARGET", "ATTEMPTS", "LAST TRY", "LAST ERROR"],
            ...list.map((d) => [
              d.id,
              d.type,
              d.target,
              String(d.attempts),
              day(d.updatedAt),
              (d.lastError ?? "").slice(0, 80),
            ]),
          ]),
        );
        return 0;
      }
      case "blocks": {
        const list = await listDomainBlocks(ctx);
        if (list.length === 0) {
          out.log("No domain blocks");
          return 0;
        }
        out.log(
          table([
            ["DOMAIN", "SEVERITY", "REJECT MEDIA", "REJECT REPORTS", "SINCE", "PUBLIC COMMENT"],
            ...list.map((b) => [
              b.domain,
              b.severity,
              b.reject_media ? "yes" : "no",
              b.reject_reports ? "yes" : "no",
              day(b.created_at),
              b.public_comment,
            ]),
          ]),
        );
        return 0;
      }
      case "block": {
        const domain = positionals[0];
        if (!domain) throw new UsageError("a domain is required");
        const severity = (values.severity ?? "suspend") as Severity;
        if (!["suspend", "silence", "noop"].includes(severity))
          throw new UsageError("--severity must be suspend, silence or noop");
        const block = await blockDomain(ctx, {
          domain,
          severity,
          rejectMedia: !!values["reject-media"],
          rejectReports: !!values["reject-reports"],
          publicComment: values["public-comment"],
          privateComment: values["private-comment"],
        });
        out.log(`Blocked ${block.domain} (${block.severity})`);
        return 0;
      }
      case "unblock": {
        const domain = positionals[0];
        if (!domain) throw new UsageError("a domain is required");
        await unblockDomain(ctx, domain);
        out.log(`Unblocked ${domain}`);
        return 0;
      }
      case "help":
        out.log(USAGE);
        return 0;
      default:
        out.error(`Unknown command: ${command ?? ""}\n${USAGE}`);
        return 2;
    }
  } catch (err) {
    if (err instanceof UsageError) {
      out.error(`${err.message}\n${USAGE}`);
      return 2;
    }
    if (err instanceof TorgaiError) {
      out.error(err.message);
      return 1;
    }
    throw err;
  }
}
