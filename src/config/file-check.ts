/**
 * Schema checks of one parsed soa-configs file: every entry, every key, every problem located.
 * Cross-key rules that PaaSTA's JSON Schemas express with allOf/dependencies live here too.
 */
import { issuesToProblems } from "./issues.js";
import { formatPath, type PathSegment, type Problem } from "./problem.js";
import { FILE_SPECS, type FileKind, type FileSpec } from "./schema/index.js";
import { kubernetesInstanceKeys } from "./schema/kubernetes.js";
import { serviceKeys } from "./schema/service.js";
import { readServiceDir, type ServiceDir } from "./soa.js";
import type { YamlFile } from "./yaml.js";

export function isMapping(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

export function schemaRef(spec: FileSpec): string {
  return `schemas/${spec.schemaName}.schema.json`;
}

/** All schema problems of `doc`, read as a file of kind `kind`. */
export function checkFile(kind: FileKind, doc: YamlFile): Problem[] {
  const spec = FILE_SPECS[kind];
  const value = doc.value;
  if (!isMapping(value)) {
    return [
      at(
        doc,
        [],
        `the file must be a mapping at the top level (got ${Array.isArray(value) ? "a list" : typeof value})`,
      ),
    ];
  }
  if (spec.layout === "document") {
    const problems = parseWith(spec, doc, [], value);
    if (kind === "service") problems.push(...checkServiceDefaults(doc, value));
    return problems;
  }
  const problems: Problem[] = [];
  for (const [name, entry] of Object.entries(value)) {
    if (spec.templates && name.startsWith("_")) continue;
    const naming = spec.entryName;
    if (naming && !naming.pattern.test(name)) {
      problems.push(at(doc, [name], `invalid ${naming.what} name "${name}": ${naming.rule}`, "key"));
      continue;
    }
    if (!isMapping(entry)) {
      problems.push(at(doc, [name], `${naming?.what ?? "entry"} "${name}" must be a mapping of keys`));
      continue;
    }
    if (Object.keys(entry).length === 0 && kind !== "smartstack") {
      problems.push(at(doc, [name], `${naming?.what ?? "entry"} "${name}" has no keys`, "key"));
      continue;
    }
    problems.push(...parseWith(spec, doc, [name], entry));
    problems.push(...crossKeyRules(kind, doc, [name], entry));
  }
  return problems;
}

function parseWith(spec: FileSpec, doc: YamlFile, base: PathSegment[], value: unknown): Problem[] {
  const r = spec.schema.safeParse(value);
  if (r.success) return [];
  return issuesToProblems(r.error.issues, { doc, base, value, schemaRef: schemaRef(spec), schema: spec.schema });
}

export function at(doc: YamlFile, path: PathSegment[], message: string, where: "key" | "value" = "value"): Problem {
  const pos = doc.locate(path, where);
  return { file: doc.file, line: pos.line, col: pos.col, path: formatPath(path) || undefined, message };
}

/** Rules across keys of one entry (PaaSTA's allOf / dependencies / oneOf constraints, and cmd vs args). */
function crossKeyRules(kind: FileKind, doc: YamlFile, base: PathSegment[], e: Record<string, unknown>): Problem[] {
  const out: Problem[] = [];
  if (kind === "tron") {
    const actions = e.actions;
    const list = Array.isArray(actions)
      ? actions.map((a, i) => [i, a] as const)
      : isMapping(actions)
        ? Object.entries(actions)
        : [];
    for (const [key, action] of list) {
      if (isMapping(action)) out.push(...identityRules(doc, [...base, "actions", key], action));
    }
    return out;
  }
  if (kind === "smartstack") return out;
  out.push(...identityRules(doc, base, e));
  if (e.cmd !== undefined && e.args !== undefined) {
    out.push(
      at(
        doc,
        [...base, "args"],
        "not allowed together with cmd: use cmd alone, or args with the image's entrypoint",
        "key",
      ),
    );
  }
  if (e.healthcheck_mode === "cmd" && e.healthcheck_cmd === undefined) {
    out.push(
      at(doc, [...base, "healthcheck_mode"], 'healthcheck_mode "cmd" needs healthcheck_cmd (the command to run)'),
    );
  }
  if (e.drain_method === "http") {
    const params = isMapping(e.drain_method_params) ? e.drain_method_params : {};
    const missing = ["drain", "stop_draining", "is_draining", "is_safe_to_kill"].filter((k) => params[k] === undefined);
    if (missing.length > 0) {
      out.push(
        at(
          doc,
          [...base, "drain_method"],
          `drain_method "http" needs drain_method_params.${missing.join(", drain_method_params.")}`,
        ),
      );
    }
  }
  return out;
}

function identityRules(doc: YamlFile, base: PathSegment[], e: Record<string, unknown>): Problem[] {
  const out: Problem[] = [];
  if (e.service_account_name !== undefined && e.iam_role !== undefined) {
    out.push(
      at(
        doc,
        [...base, "service_account_name"],
        "not allowed together with iam_role (iam_role creates its own service account)",
        "key",
      ),
    );
  }
  if (e.fs_group_change_policy !== undefined && e.fs_group === undefined) {
    out.push(at(doc, [...base, "fs_group_change_policy"], "needs fs_group", "key"));
  }
  return out;
}

/**
 * service.yaml keys other than its own become defaults of every instance: those that are instance keys are
 * type-checked here, so that a bad default is reported where it is written.
 */
function checkServiceDefaults(doc: YamlFile, value: Record<string, unknown>): Problem[] {
  const out: Problem[] = [];
  const instanceKeys = kubernetesInstanceKeys as Record<
    string,
    { safeParse(v: unknown): { success: boolean; error?: { issues: unknown[] } } }
  >;
  for (const [key, v] of Object.entries(value)) {
    if (key in serviceKeys) continue;
    const schema = instanceKeys[key];
    if (!schema) continue;
    const r = schema.safeParse(v);
    if (!r.success && r.error) {
      out.push(
        ...issuesToProblems(r.error.issues as never, {
          doc,
          base: [key],
          value: v,
          schemaRef: "schemas/kubernetes.schema.json",
        }),
      );
    }
  }
  return out;
}

/** Reads one service directory and schema-checks every file: what validation and deploys work on. */
export function loadServiceDir(soaDir: string, name: string, displayPrefix = ""): ServiceDir {
  return checkServiceDir(readServiceDir(soaDir, name, displayPrefix));
}

export function checkServiceDir(svc: ServiceDir): ServiceDir {
  if (svc.checked) return svc;
  const files = svc.files.map((f) => (f.doc ? { ...f, problems: [...f.problems, ...checkFile(f.kind, f.doc)] } : f));
  return { ...svc, files, checked: true };
}
