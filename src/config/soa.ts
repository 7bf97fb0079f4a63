/**
 * Reading a soa-configs tree: one directory per service, each with service.yaml, monitoring.yaml, deploy.yaml,
 * smartstack.yaml and TYPE-CLUSTER.yaml files. Files are parsed once. Schema checks are a separate step
 * (`file-check.ts` `loadServiceDir`): commands that only read values (deploy record, list, info) skip them and
 * the schema library's start-up cost; whatever decides what runs works on checked directories only.
 */
import { type Dirent, lstatSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { PaastaError } from "../errors.js";
import { type FileKind, type InstanceType, parseInstanceFileName } from "./kinds.js";
import type { Problem } from "./problem.js";
import { readYamlFile, type YamlFile } from "./yaml.js";

export interface SoaFile {
  /** Base name, e.g. `kubernetes-norcal-prod.yaml`. */
  readonly name: string;
  readonly kind: FileKind;
  /** For TYPE-CLUSTER.yaml files. */
  readonly cluster?: string;
  /** The parsed document, or undefined when it could not be read or parsed. */
  readonly doc?: YamlFile;
  /** Syntax problems, and schema problems once checked (empty = valid). */
  readonly problems: readonly Problem[];
}

export interface ServiceDir {
  readonly name: string;
  readonly dir: string;
  /** Prepended to file names in problems: `hello/` when validating a whole tree, else empty. */
  readonly displayPrefix: string;
  readonly files: readonly SoaFile[];
  /** Whether the files' schema problems are in `problems` (see file-check.ts). */
  readonly checked: boolean;
  /** What was skipped or ignored, and why (validate prints them as warnings): broken links, unsupported files. */
  readonly notes?: readonly string[];
}

const SINGLE_FILES: Readonly<Record<string, FileKind>> = {
  "service.yaml": "service",
  "monitoring.yaml": "monitoring",
  "deploy.yaml": "deploy",
  "smartstack.yaml": "smartstack",
};

export function assertSoaDir(soaDir: string): void {
  let ok = false;
  try {
    ok = statSync(soaDir).isDirectory();
  } catch (e) {
    if (!isMissing(e)) throw unreadable(soaDir, e);
    ok = false;
  }
  if (!ok) throw new PaastaError("PAASTA_SOA_DIR_MISSING", { dir: soaDir });
}

/** A file system error that means "not there" (rather than "there but not readable"). */
function isMissing(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException).code;
  return code === "ENOENT" || code === "ENOTDIR";
}

/** The catalogue error of a part of the tree that exists but cannot be read (permissions, I/O). */
function unreadable(path: string, e: unknown): PaastaError {
  const err = e as NodeJS.ErrnoException;
  const detail = err.code === "EACCES" ? "permission denied" : (err.code ?? err.message);
  return new PaastaError("PAASTA_SOA_UNREADABLE", { path, detail });
}

/** Service directories of a soa-configs tree, sorted. Hidden, `_`-prefixed and the `tron/` masters dir are not services. */
export function listServiceNames(soaDir: string): string[] {
  assertSoaDir(soaDir);
  const names: string[] = [];
  let entries: Dirent[];
  try {
    entries = readdirSync(soaDir, { withFileTypes: true });
  } catch (e) {
    throw unreadable(soaDir, e);
  }
  for (const entry of entries) {
    const name = entry.name;
    if (name.startsWith(".") || name.startsWith("_")) continue;
    const p = join(soaDir, name);
    if (!(entry.isDirectory() || (entry.isSymbolicLink() && isDirectory(p)))) continue;
    if (name === "tron" && !fileExists(join(p, "service.yaml"))) continue;
    names.push(name);
  }
  return names.sort();
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

export function fileExists(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/**
 * Reads (parses, does not schema-check) one service directory. `displayPrefix` is prepended to file names in
 * problems (e.g. `hello/` when validating a whole tree).
 */
export function readServiceDir(soaDir: string, name: string, displayPrefix = ""): ServiceDir {
  const dir = join(soaDir, name);
  let entries: string[];
  try {
    entries = readdirSync(dir).sort();
  } catch (e) {
    if (!isMissing(e)) throw unreadable(dir, e);
    throw new PaastaError("PAASTA_SERVICE_NOT_FOUND", { service: name, dir: soaDir });
  }
  const files: SoaFile[] = [];
  const notes: string[] = [];
  for (const entry of entries) {
    const skipped = skippedEntry(dir, entry);
    if (skipped) {
      notes.push(`${displayPrefix}${entry}: ${skipped}`);
      continue;
    }
    const single = SINGLE_FILES[entry];
    const typed = single ? undefined : parseInstanceFileName(entry);
    if (!single && !typed) continue;
    const kind: FileKind = single ?? (typed as { kind: InstanceType }).kind;
    const read = readYamlFile(join(dir, entry), displayPrefix + entry);
    if (!read.ok) {
      files.push({ name: entry, kind, cluster: typed?.cluster, problems: read.problems });
      continue;
    }
    files.push({ name: entry, kind, cluster: typed?.cluster, doc: read.doc, problems: [] });
  }
  return { name, dir, displayPrefix, files, checked: false, notes };
}

/**
 * Why an entry of a service directory is skipped, or undefined when it is read: a broken symbolic link (PaaSTA
 * skips links it cannot follow), and files PaaSTA reads that paasta does not support (never silently).
 */
function skippedEntry(dir: string, entry: string): string | undefined {
  const path = join(dir, entry);
  try {
    if (lstatSync(path).isSymbolicLink()) statSync(path);
  } catch {
    return "a broken symbolic link: skipped";
  }
  if (/^rollback-.*\.yaml$/.test(entry))
    return "ignored, not supported: automatic rollback rules (Yelp's SLO-driven rollbacks) are not read by paasta";
  if (entry === "autotuned_defaults")
    return "ignored, not supported: autotuned defaults come from Yelp's autotuner, which is not part of paasta";
  return undefined;
}

export function findFile(svc: ServiceDir, kind: FileKind, cluster?: string): SoaFile | undefined {
  return svc.files.find((f) => f.kind === kind && f.cluster === cluster);
}

/** The parsed value of a single file (service/monitoring/deploy/smartstack), `{}` when absent or broken. */
export function fileValue(svc: ServiceDir, kind: FileKind): Record<string, unknown> {
  const v = findFile(svc, kind)?.doc?.value;
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** Clusters that have any TYPE-CLUSTER.yaml file in this service. */
export function serviceClusters(svc: ServiceDir): string[] {
  return [...new Set(svc.files.flatMap((f) => (f.cluster ? [f.cluster] : [])))].sort();
}

export function serviceProblems(svc: ServiceDir): Problem[] {
  return svc.files.flatMap((f) => f.problems);
}
