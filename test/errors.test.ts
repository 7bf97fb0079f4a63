import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ERRORS, PaastaError, RETIRED_CODES } from "../src/errors.js";
import { REPO } from "./helpers/cli.js";

describe("the error catalogue", () => {
  const doc = readFileSync(join(REPO, "docs/errors.md"), "utf8");

  it("every code is PAASTA_*, documented in docs/errors.md, with a how-to-fix, and never a retired code", () => {
    for (const [code, def] of Object.entries(ERRORS)) {
      expect(code).toMatch(/^PAASTA_[A-Z_]+$/);
      expect(doc).toContain(`| \`${code}\` |`);
      expect(def.fix.length).toBeGreaterThan(10);
      expect([1, 2, 3]).toContain(def.exit);
      expect(RETIRED_CODES).not.toContain(code);
    }
  });

  it("no documented code is missing from the catalogue", () => {
    const documented = [...doc.matchAll(/\| `(PAASTA_[A-Z_]+)` \|/g)].map((m) => m[1]);
    expect(documented.sort()).toEqual(Object.keys(ERRORS).sort());
  });

  it("fills placeholders and carries exit code and HTTP status", () => {
    const e = new PaastaError("PAASTA_SYSTEM_CONFIG_KEY_MISSING", { key: "docker_registry", dir: "/etc/paasta" });
    expect(e.message).toBe("system config key docker_registry is not set in any *.json file under /etc/paasta");
    expect(e.fix).toBe("Add docker_registry to a file in /etc/paasta; see docs/system-config.md for its format.");
    expect(e.exitCode).toBe(2);
    expect(e.toJSON()).toEqual({ code: "PAASTA_SYSTEM_CONFIG_KEY_MISSING", message: e.message, fix: e.fix });
  });
});
