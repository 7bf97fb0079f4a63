/**
 * The generated JSON Schemas (schemas/*.schema.json, what editors use) agree with `paasta validate`: every file
 * of the valid fixture trees is accepted, and the files the invalid schema fixtures break are rejected.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import ajvModule, { type ValidateFunction } from "ajv";
import { describe, expect, it } from "vitest";
import { FILE_SPECS, type FileKind, parseInstanceFileName } from "../../src/config/schema/index.js";
import { parseYaml } from "../../src/config/yaml.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const FIXTURES = join(ROOT, "test", "fixtures", "validate");
const SINGLE: Record<string, FileKind> = {
  "service.yaml": "service",
  "monitoring.yaml": "monitoring",
  "deploy.yaml": "deploy",
  "smartstack.yaml": "smartstack",
};

// ajv is CommonJS: under NodeNext its default import is module.exports, whose `default` is the class.
const Ajv = ajvModule.default;
const ajv = new Ajv({ strict: false, allErrors: true });
const validators = new Map<string, ValidateFunction>();

/** The validator of a file kind; kubernetes and eks share schemas/kubernetes.schema.json. */
function validatorFor(kind: FileKind): ValidateFunction {
  const name = FILE_SPECS[kind].schemaName;
  let v = validators.get(name);
  if (!v) {
    v = ajv.compile(JSON.parse(readFileSync(join(ROOT, "schemas", `${name}.schema.json`), "utf8")));
    validators.set(name, v);
  }
  return v;
}

function kindOf(file: string): FileKind | undefined {
  return SINGLE[file] ?? parseInstanceFileName(file)?.kind;
}

/** Every soa-configs file under `dir` (recursively), as [path relative to the fixtures, kind]. */
function soaFiles(dir: string): Array<[string, FileKind]> {
  const out: Array<[string, FileKind]> = [];
  for (const entry of readdirSync(dir).sort()) {
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) out.push(...soaFiles(p));
    else {
      const kind = kindOf(entry);
      if (kind) out.push([p.slice(FIXTURES.length + 1), kind]);
    }
  }
  return out;
}

function check(relPath: string, kind: FileKind): { valid: boolean; errors: string } {
  const parsed = parseYaml(readFileSync(join(FIXTURES, relPath), "utf8"), relPath);
  if (!parsed.ok) throw new Error(`${relPath} does not parse`);
  const validate = validatorFor(kind);
  const valid = validate(parsed.doc.value) as boolean;
  return { valid, errors: ajv.errorsText(validate.errors) };
}

const validFiles = [...soaFiles(join(FIXTURES, "valid")), ...soaFiles(join(FIXTURES, "resolve"))];

describe("JSON Schemas accept every valid fixture file", () => {
  it("covers every schema, and both kubernetes and eks files", () => {
    const kinds = new Set(validFiles.map(([, kind]) => kind));
    expect([...kinds].sort()).toEqual(Object.keys(FILE_SPECS).sort());
    expect(new Set(validFiles.map(([, kind]) => FILE_SPECS[kind].schemaName)).size).toBe(7);
  });

  it.each(validFiles)("%s", (relPath, kind) => {
    const { valid, errors } = check(relPath, kind);
    expect(errors).toBe("No errors");
    expect(valid).toBe(true);
  });
});

describe("JSON Schemas reject the files the schema fixtures break", () => {
  it.each([
    ["schema-kubernetes/svc/kubernetes-norcal-prod.yaml", "kubernetes"],
    ["schema-eks/svc/eks-norcal-prod.yaml", "eks"],
    ["schema-adhoc/svc/adhoc-norcal-prod.yaml", "adhoc"],
    ["schema-tron/svc/tron-norcal-prod.yaml", "tron"],
    ["schema-service/svc/service.yaml", "service"],
    ["schema-monitoring/svc/monitoring.yaml", "monitoring"],
    ["schema-deploy/svc/deploy.yaml", "deploy"],
    ["schema-smartstack/svc/smartstack.yaml", "smartstack"],
  ] as const)("%s", (relPath, kind) => {
    expect(check(relPath, kind).valid).toBe(false);
  });

  it("an unknown key is rejected where paasta validate reports it", () => {
    const validate = validatorFor("kubernetes");
    expect(validate({ main: { cmd: "./run", oops: 1 } })).toBe(false);
    expect(validate.errors?.map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`)).toContain(
      '/main must NOT have additional properties {"additionalProperty":"oops"}',
    );
    expect(validate({ _template: { anything: true }, main: { cmd: "./run" } })).toBe(true);
  });
});
