/** YAML reading with positions: values, `locate` (through `<<` merges and aliases), syntax errors, duplicate keys. */
import { describe, expect, it } from "vitest";
import { formatProblem } from "../../src/config/problem.js";
import { parseYaml, type YamlFile } from "../../src/config/yaml.js";

function load(text: string): YamlFile {
  const r = parseYaml(text, "f.yaml");
  if (!r.ok) throw new Error(`unexpected problems: ${r.problems.map(formatProblem).join("; ")}`);
  return r.doc;
}

function problemsOf(text: string): string[] {
  const r = parseYaml(text, "f.yaml");
  if (r.ok) throw new Error("expected problems");
  return r.problems.map(formatProblem);
}

const TEMPLATED = [
  "_base: &base", // 1
  "  cmd: ./run", // 2
  "  mem: 512", // 3
  "  env:", // 4
  "    A: from-base", // 5
  "_sizes: &sizes", // 6
  "  cpus: 0.5", // 7
  "  mem: 1024", // 8
  "main:", // 9
  "  <<: *base", // 10
  "  instances: 2", // 11
  "  mem: 256", // 12
  "second:", // 13
  "  <<: [*sizes, *base]", // 14
  "  args: [--a, --b]", // 15
  "",
].join("\n");

describe("values", () => {
  it("applies `<<` merges: explicit keys win, earlier merge sources win over later ones", () => {
    const doc = load(TEMPLATED);
    const v = doc.value as Record<string, Record<string, unknown>>;
    expect(v.main).toEqual({ cmd: "./run", mem: 256, env: { A: "from-base" }, instances: 2 });
    expect(v.second).toEqual({ cpus: 0.5, mem: 1024, cmd: "./run", env: { A: "from-base" }, args: ["--a", "--b"] });
  });

  it("an empty document reads as an empty mapping", () => {
    expect(load("").value).toEqual({});
    expect(load("# only a comment\n").value).toEqual({});
  });

  it("keeps the source text", () => {
    expect(load("a: 1 # override-cpu-burst\n").source).toContain("# override-cpu-burst");
  });
});

describe("locate", () => {
  const doc = load(TEMPLATED);

  it("finds values and keys (1-based line and column)", () => {
    expect(doc.locate(["main", "instances"])).toEqual({ line: 11, col: 14 });
    expect(doc.locate(["main", "instances"], "key")).toEqual({ line: 11, col: 3 });
    expect(doc.locate(["main"], "key")).toEqual({ line: 9, col: 1 });
  });

  it("an explicit key wins over the template's", () => {
    expect(doc.locate(["main", "mem"])).toEqual({ line: 12, col: 8 });
  });

  it("follows `<<` into the template that provided the value", () => {
    expect(doc.locate(["main", "cmd"])).toEqual({ line: 2, col: 8 });
    expect(doc.locate(["main", "env", "A"])).toEqual({ line: 5, col: 8 });
    // A list of merge sources: the first that has the key.
    expect(doc.locate(["second", "mem"])).toEqual({ line: 8, col: 8 });
    expect(doc.locate(["second", "cmd"])).toEqual({ line: 2, col: 8 });
  });

  it("indexes lists", () => {
    expect(doc.locate(["second", "args", 1])).toEqual({ line: 15, col: 15 });
  });

  it("falls back to the deepest ancestor that exists, then to 1:1", () => {
    expect(doc.locate(["main", "nope", "deeper"])).toEqual(doc.locate(["main"]));
    expect(doc.locate(["second", "args", 7])).toEqual(doc.locate(["second", "args"]));
    expect(doc.locate(["nothing"])).toEqual({ line: 1, col: 1 });
    expect(doc.locate([])).toEqual({ line: 1, col: 1 });
  });
});

describe("errors", () => {
  it("a duplicate key is located at the repeated key and names it", () => {
    expect(problemsOf("main:\n  cpus: 1\n  mem: 512\n  cpus: 2\n")).toEqual([
      'f.yaml:4:3: duplicate key "cpus" (each key may appear once in a mapping)',
    ]);
    expect(problemsOf("main:\n  cmd: a\nmain:\n  cmd: b\n")).toEqual([
      'f.yaml:3:1: duplicate key "main" (each key may appear once in a mapping)',
    ]);
  });

  it("a key set once explicitly and once through `<<` is not a duplicate", () => {
    expect(load("_t: &t\n  cpus: 1\nmain:\n  <<: *t\n  cpus: 2\n").value).toMatchObject({ main: { cpus: 2 } });
  });

  it("syntax errors are located", () => {
    expect(problemsOf("main:\n  env:\n\tA: tab\n")).toEqual([
      "f.yaml:3:1: YAML syntax error: tab characters must not be used in indentation",
    ]);
    expect(problemsOf('main:\n  env:\n    A: "unterminated\n')).toEqual([
      "f.yaml:4:1: YAML syntax error: unexpected end of the stream within a double quoted scalar",
    ]);
  });

  it("an alias without its anchor is located", () => {
    expect(problemsOf("main:\n  <<: *nothing\n")).toEqual([
      'f.yaml:2:15: YAML syntax error: unidentified alias "nothing"',
    ]);
  });
});

describe("bounded alias expansion (a 'billion laughs' file must not take the control plane down)", () => {
  const bomb = (depth: number) => {
    let text = 'l0: &l0 ["x","x","x","x","x","x","x","x","x","x"]\n';
    for (let i = 1; i <= depth; i++)
      text += `l${i}: &l${i} [${Array(10)
        .fill(`*l${i - 1}`)
        .join(",")}]\n`;
    return `${text}main:\n  cmd: x\n  constraints: *l${depth}\n`;
  };

  it("a small file whose aliases expand past the bound is rejected, located at its first alias", () => {
    const text = bomb(8);
    expect(text.length).toBeLessThan(700);
    expect(problemsOf(text)).toEqual([
      "f.yaml:2:10: YAML aliases expand to more than 250,000 values (an alias bomb, or a recursive alias): use fewer nested aliases",
    ]);
  });

  it("a recursive alias is rejected too; ordinary templating with aliases and merges is not", () => {
    expect(problemsOf("a: &a [1, *a]\n")[0]).toContain("infinitely many values");
    expect(load(bomb(3)).value).toMatchObject({ main: { cmd: "x" } });
    expect(load(TEMPLATED).value).toBeTruthy();
  });
});
