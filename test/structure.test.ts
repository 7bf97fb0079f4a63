/**
 * The shape of the source tree, checked on every run (a build that breaks it fails, not a review):
 * the dependency direction of the seam, no branching on the backend's kind outside the backends, and no
 * source file over 400 lines. See docs/design/0002-one-typed-seam.md for the picture.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO } from "./helpers/cli.js";

const SRC = join(REPO, "src");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(name) ? [path] : [];
  });
}

const files = sourceFiles(SRC).map((path) => ({ rel: relative(SRC, path), text: readFileSync(path, "utf8") }));

/** Every module a file imports (static and dynamic), as a path relative to src/ (external packages skipped). */
function importsOf(f: { rel: string; text: string }): string[] {
  const out: string[] = [];
  for (const m of f.text.matchAll(/(?:from\s+|import\s*\()\s*["']([^"']+)["']/g)) {
    const spec = m[1] as string;
    if (!spec.startsWith(".")) continue;
    out.push(relative(SRC, join(SRC, f.rel, "..", spec)).replace(/\.js$/, ".ts"));
  }
  return out;
}

function violations(from: (rel: string) => boolean, to: (target: string) => boolean): string[] {
  return files
    .filter((f) => from(f.rel))
    .flatMap((f) =>
      importsOf(f)
        .filter(to)
        .map((t) => `${f.rel} imports ${t}`),
    );
}

describe("the seam's dependency direction", () => {
  it("backends never import reconcile (the contract's types live in model/)", () => {
    expect(
      violations(
        (f) => f.startsWith("backends/"),
        (t) => t.startsWith("reconcile/"),
      ),
    ).toEqual([]);
  });

  it("model/ imports neither reconcile, backends, runtime, api nor cli", () => {
    const upward = (t: string) => /^(reconcile|backends|runtime|api|cli)\//.test(t);
    expect(violations((f) => f.startsWith("model/"), upward)).toEqual([]);
  });

  it("the Kubernetes and local backends never import each other", () => {
    expect(
      violations(
        (f) => f.startsWith("backends/kubernetes/"),
        (t) => t.startsWith("backends/local/"),
      ),
    ).toEqual([]);
    expect(
      violations(
        (f) => f.startsWith("backends/local/"),
        (t) => t.startsWith("backends/kubernetes/"),
      ),
    ).toEqual([]);
  });

  it("config/ and deploy/ do not depend on runtime, backends, api or cli (the API client library aside)", () => {
    const above = (t: string) => /^(runtime|backends|api|cli)\//.test(t) && t !== "api/client.ts";
    expect(violations((f) => /^(config|deploy)\//.test(f), above)).toEqual([]);
  });
});

describe("optional powers, not kinds", () => {
  it("no code outside src/backends branches on the backend's kind", () => {
    const branching = /\.kind\s*[!=]==\s*["'](local|kubernetes)["']|backend\.kind\s*[!=]==|kind\s*\?\s*\d/;
    const hits = files
      .filter((f) => !f.rel.startsWith("backends/") && !f.rel.startsWith("config/"))
      .flatMap((f) =>
        f.text
          .split("\n")
          .map((line, i) => ({ line, i }))
          .filter(({ line }) => branching.test(line))
          .map(({ i, line }) => `${f.rel}:${i + 1}: ${line.trim()}`),
      );
    expect(hits).toEqual([]);
  });
});

describe("file size", () => {
  it("no file in src/ is over 400 lines", () => {
    const long = files
      .map((f) => ({ rel: f.rel, lines: f.text.split("\n").length - (f.text.endsWith("\n") ? 1 : 0) }))
      .filter((f) => f.lines > 400)
      .map((f) => `${f.rel}: ${f.lines} lines`);
    expect(long).toEqual([]);
  });
});
