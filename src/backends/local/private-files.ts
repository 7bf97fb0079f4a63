/**
 * The local runtime's state is private to the user running it: directories 0700, files 0600, whatever the
 * umask, and existing ones are tightened (a state dir created by an older version was world-readable). Task
 * environments (env values, secrets delivered as files) and task output live under the state dir.
 */
import { chmodSync, closeSync, mkdirSync, openSync } from "node:fs";

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Creates `dir` (and missing parents, 0700) and makes it 0700. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  try {
    chmodSync(dir, PRIVATE_DIR_MODE);
  } catch {
    // not ours to change (a directory another user prepared); its own mode protects it or not
  }
}

/** Creates `path` empty when missing, and makes it 0600; existing content is kept. */
export function ensurePrivateFile(path: string): void {
  closeSync(openSync(path, "a", PRIVATE_FILE_MODE));
  chmodSync(path, PRIVATE_FILE_MODE);
}

/** Makes `path` 0600 when it exists (SQLite's -wal and -shm files, created beside the database). */
export function tightenIfPresent(path: string): void {
  try {
    chmodSync(path, PRIVATE_FILE_MODE);
  } catch {
    // not there (yet): SQLite creates it with the database file's mode
  }
}
