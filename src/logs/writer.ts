/**
 * The event log writers of system config `log_writer` (reference §2 Logging): `null` (drop) and `file`
 * (`options.path_format` with `{service} {component} {level} {cluster} {instance}` placeholders; one JSON
 * object per line, appended). Deploy events written here are what `paasta logs -C deploy` shows.
 */
import { appendFileSync, mkdirSync } from "node:fs";
import { userInfo } from "node:os";
import { dirname } from "node:path";
import type { LogWriterConfig } from "../config/system.js";
import { PaastaError } from "../errors.js";

export interface LogLine {
  readonly timestamp: string;
  readonly level: "event" | "debug";
  readonly cluster: string;
  readonly service: string;
  readonly instance: string;
  readonly component: string;
  readonly message: string;
  readonly user?: string;
  /** The task (local) or pod (Kubernetes) a line of output came from. */
  readonly task?: string;
}

export interface LogWriter {
  write(line: LogLine): void;
}

/** PaaSTA's placeholder for lines that apply to every cluster or instance. */
export const ANY = "N/A";

export function createLogWriter(cfg: LogWriterConfig | undefined): LogWriter {
  if (!cfg || cfg.driver === "null") return { write: () => {} };
  const options = (cfg.options ?? {}) as { path_format?: unknown; line_delimiter?: unknown };
  const pathFormat = options.path_format;
  if (typeof pathFormat !== "string" || pathFormat === "") {
    throw new PaastaError("PAASTA_SYSTEM_CONFIG_INVALID", {
      key: "log_writer.options.path_format",
      file: "the system config",
      detail: 'the file driver needs options.path_format, e.g. "/var/log/paasta/{service}/{component}.log"',
    });
  }
  const delimiter = typeof options.line_delimiter === "string" ? options.line_delimiter : "\n";
  return {
    write(line) {
      const path = formatPath(pathFormat, line);
      mkdirSync(dirname(path), { recursive: true });
      appendFileSync(path, `${JSON.stringify(line)}${delimiter}`);
    },
  };
}

export type LogWriterPaths = (
  line: Pick<LogLine, "service" | "component" | "level" | "cluster" | "instance">,
) => string;

/** For the `file` driver: where a line would be written (to read deploy events back); else undefined. */
export function logWriterPaths(cfg: LogWriterConfig | undefined): LogWriterPaths | undefined {
  const format = (cfg?.options as { path_format?: unknown } | undefined)?.path_format;
  if (cfg?.driver !== "file" || typeof format !== "string") return undefined;
  return (line) => formatPath(format, line);
}

function formatPath(
  format: string,
  line: Pick<LogLine, "service" | "component" | "level" | "cluster" | "instance">,
): string {
  const values: Record<string, string> = {
    service: line.service,
    component: line.component,
    level: line.level,
    cluster: line.cluster,
    instance: line.instance,
  };
  return format.replace(/\{(\w+)(?::[^}]*)?\}/g, (whole, name: string) => values[name] ?? whole);
}

/** The person acting: the sudo caller, else the login name. */
export function currentUser(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SUDO_USER) return env.SUDO_USER;
  try {
    return userInfo().username;
  } catch {
    return env.USER ?? "unknown";
  }
}

export function deployEvent(
  fields: Pick<LogLine, "service" | "message"> & Partial<Pick<LogLine, "cluster" | "instance" | "user">>,
  now: Date = new Date(),
): LogLine {
  return {
    timestamp: now.toISOString(),
    level: "event",
    cluster: fields.cluster ?? ANY,
    service: fields.service,
    instance: fields.instance ?? ANY,
    component: "deploy",
    message: fields.message,
    user: fields.user ?? currentUser(),
  };
}
