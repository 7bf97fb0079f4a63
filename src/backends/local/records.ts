/**
 * The RecordStore power of the local backend: one file per record under the cluster's state dir, replaced
 * atomically (written beside, then renamed), so a crash never leaves half a record.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export class FileRecords {
  constructor(private readonly dir: string) {}

  private pathOf(name: string): string {
    if (!/^[a-z0-9][a-z0-9._-]*$/.test(name)) throw new Error(`invalid record name ${JSON.stringify(name)}`);
    return join(this.dir, `${name}.json`);
  }

  async read(name: string): Promise<string | undefined> {
    try {
      return readFileSync(this.pathOf(name), "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw e;
    }
  }

  async write(name: string, text: string): Promise<void> {
    const path = this.pathOf(name);
    mkdirSync(this.dir, { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  }
}
