/**
 * One owner per state dir: the `paasta up` that supervises a local cluster holds a lock that the kernel
 * releases when its holder exits, however it exits (kill -9 included) — a write lock SQLite takes with POSIX
 * advisory locks on `STATE_DIR/owner.lock`, held for the owner's lifetime (an open `BEGIN IMMEDIATE`). A
 * second owner is refused, named by the PID the holder writes to `owner.pid` (informative only: the lock, not
 * the file, decides). Readers of the state (`paasta status`, a one-off `paasta reconcile`) take no lock.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type Database from "better-sqlite3";
import { PaastaError } from "../../errors.js";
import { ensurePrivateFile } from "./private-files.js";

export class OwnerLock {
  private constructor(private readonly db: Database.Database) {}

  /** Takes the lock of `stateDir`, or throws PAASTA_STATE_DIR_LOCKED naming the holder's PID. */
  static acquire(stateDir: string): OwnerLock {
    const path = join(stateDir, "owner.lock");
    ensurePrivateFile(path);
    const open = createRequire(import.meta.url)("better-sqlite3") as typeof Database;
    const db = new open(path);
    try {
      db.pragma("busy_timeout = 0");
      db.pragma("journal_mode = DELETE");
      db.exec("BEGIN IMMEDIATE");
    } catch (e) {
      db.close();
      if ((e as { code?: string }).code !== "SQLITE_BUSY") throw e;
      throw new PaastaError("PAASTA_STATE_DIR_LOCKED", { dir: stateDir, pid: holder(stateDir) });
    }
    const pidFile = join(stateDir, "owner.pid");
    ensurePrivateFile(pidFile);
    writeFileSync(pidFile, `${process.pid}\n`);
    return new OwnerLock(db);
  }

  release(): void {
    if (!this.db.open) return;
    this.db.exec("ROLLBACK");
    this.db.close();
  }
}

/** The PID the current holder wrote, or "unknown" while it has not yet. */
function holder(stateDir: string): string {
  try {
    return readFileSync(join(stateDir, "owner.pid"), "utf8").trim() || "unknown";
  } catch {
    return "unknown";
  }
}
