/** Where secret files live in soa-configs, and reading, writing and listing them. */
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { PaastaError } from "../errors.js";
import { parseSecretFile, renderSecretFile, type SecretFileData } from "./format.js";
import { formatSecretRef, type SecretRef, SHARED_SECRET_SERVICE } from "./refs.js";

export interface SecretLocation {
  /** Absolute path of `SERVICE/secrets/NAME.json` or `_shared/secrets/NAME.json`. */
  readonly path: string;
  /** The same, relative to the soa-configs directory (for messages). */
  readonly display: string;
}

/** The file of `ref` as seen from `service` (shared secrets are under `_shared/`). */
export function secretLocation(soaDir: string, service: string, ref: SecretRef): SecretLocation {
  const owner = ref.shared ? SHARED_SECRET_SERVICE : service;
  const display = `${owner}/secrets/${ref.name}.json`;
  return { path: join(soaDir, owner, "secrets", `${ref.name}.json`), display };
}

/** The parsed file, or undefined when it does not exist; an unreadable or malformed file is an error naming it. */
export function readSecretFile(loc: SecretLocation): SecretFileData | undefined {
  let text: string;
  try {
    text = readFileSync(loc.path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new PaastaError("PAASTA_SECRET_FILE_INVALID", { file: loc.display, detail: (e as Error).message });
  }
  const parsed = parseSecretFile(text);
  if (typeof parsed === "string")
    throw new PaastaError("PAASTA_SECRET_FILE_INVALID", { file: loc.display, detail: parsed });
  return parsed;
}

/** Like readSecretFile, but a missing file is PAASTA_SECRET_NOT_FOUND naming the reference. */
export function requireSecretFile(loc: SecretLocation, ref: SecretRef): SecretFileData {
  const file = readSecretFile(loc);
  if (!file) throw new PaastaError("PAASTA_SECRET_NOT_FOUND", { ref: formatSecretRef(ref), file: loc.display });
  return file;
}

/** Writes the file atomically (a temporary file renamed over it), creating `secrets/` when needed. */
export function writeSecretFile(loc: SecretLocation, file: SecretFileData): void {
  mkdirSync(dirname(loc.path), { recursive: true });
  const tmp = `${loc.path}.tmp-${process.pid}`;
  writeFileSync(tmp, renderSecretFile(file));
  renameSync(tmp, loc.path);
}

/** The secret names of a service (or of `_shared` with `shared`), sorted: the `*.json` files of its `secrets/`. */
export function listSecretNames(soaDir: string, service: string, shared = false): string[] {
  const dir = join(soaDir, shared ? SHARED_SECRET_SERVICE : service, "secrets");
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => n.endsWith(".json"))
    .map((n) => n.slice(0, -".json".length))
    .sort();
}
