/** Paths of the repository and temporary directories for tests (no imports of the CLI). */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const REPO = new URL("../..", import.meta.url).pathname;
export const BIN = join(REPO, "bin/paasta.js");
export const EXAMPLES = join(REPO, "examples/soa-configs");

export function tempDir(prefix = "paasta-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
