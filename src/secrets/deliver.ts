/**
 * Writing a task's secret volume files under a directory of the task (the local runtime's delivery): each at
 * ROOT/container_path/path, directories 0700, files with their mode. Nothing is written outside ROOT.
 */
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { PaastaError } from "../errors.js";
import type { TaskSecretFile } from "./task.js";

/** The absolute path of `f` under `root`, or a catalogue error when container_path/path would leave it. */
export function secretFilePath(root: string, f: TaskSecretFile): string {
  const base = resolve(root);
  const target = resolve(join(base, f.containerPath, f.path));
  const rel = relative(base, target);
  if (rel === "" || rel.startsWith(`..${sep}`) || rel === ".." || resolve(base, rel) !== target)
    throw new PaastaError("PAASTA_USAGE", {
      detail: `secret volume ${f.ref}: ${f.containerPath}/${f.path} is not a file path inside the task's directory`,
    });
  return target;
}

/** Writes every file; returns their paths. Existing files are replaced (a restarted task gets fresh values). */
export function writeSecretFiles(root: string, files: readonly TaskSecretFile[]): string[] {
  const written: string[] = [];
  for (const f of files) {
    const path = secretFilePath(root, f);
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    try {
      chmodSync(path, 0o600); // a previous 0400 copy must be writable to be replaced
    } catch {
      // first write
    }
    writeFileSync(path, f.content, { mode: f.mode });
    chmodSync(path, f.mode); // the umask may have cut the mode at creation
    written.push(path);
  }
  return written;
}
