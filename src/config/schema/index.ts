/**
 * The soa-configs file catalogue: which file names exist, which schema checks each, and how their top level
 * is organised (instances, Tron jobs, proxy namespaces, or one document).
 */
import { z } from "zod";
import type { FileKind } from "../kinds.js";
import { adhocInstanceSchema } from "./adhoc.js";
import { INSTANCE_NAME, TRON_NAME } from "./common.js";
import { deployFileSchema } from "./deploy.js";
import { kubernetesInstanceSchema } from "./kubernetes.js";
import { monitoringFileSchema } from "./monitoring.js";
import { serviceFileSchema } from "./service.js";
import { smartstackNamespaceSchema } from "./smartstack.js";
import { tronJobSchema } from "./tron.js";

export {
  type FileKind,
  INSTANCE_TYPES,
  type InstanceType,
  LONG_RUNNING_TYPES,
  parseInstanceFileName,
} from "../kinds.js";

export interface FileSpec {
  readonly kind: FileKind;
  /** Name of the generated JSON Schema under schemas/. */
  readonly schemaName: string;
  /** How the top level is organised. */
  readonly layout: "document" | "map";
  /** For `map` files: the schema of each entry. For `document`: of the whole file. */
  readonly schema: z.ZodType;
  /** For `map` files: the pattern entry names must match, with the fix in words. */
  readonly entryName?: { readonly pattern: RegExp; readonly rule: string; readonly what: string };
  /** `_`-prefixed entries are templates (not entries). */
  readonly templates: boolean;
  readonly title: string;
}

const instanceName = {
  pattern: INSTANCE_NAME,
  rule: "use lowercase letters, digits, '_' and '-', not starting or ending with '_' or '-'",
  what: "instance",
};

export const FILE_SPECS: Readonly<Record<FileKind, FileSpec>> = {
  service: {
    kind: "service",
    schemaName: "service",
    layout: "document",
    schema: serviceFileSchema,
    templates: false,
    title: "service.yaml",
  },
  monitoring: {
    kind: "monitoring",
    schemaName: "monitoring",
    layout: "document",
    schema: monitoringFileSchema,
    templates: false,
    title: "monitoring.yaml",
  },
  deploy: {
    kind: "deploy",
    schemaName: "deploy",
    layout: "document",
    schema: deployFileSchema,
    templates: false,
    title: "deploy.yaml",
  },
  smartstack: {
    kind: "smartstack",
    schemaName: "smartstack",
    layout: "map",
    schema: smartstackNamespaceSchema,
    entryName: { pattern: /^[a-z0-9_.-]+$/i, rule: "use letters, digits, '_', '.' and '-'", what: "namespace" },
    templates: true,
    title: "smartstack.yaml",
  },
  kubernetes: {
    kind: "kubernetes",
    schemaName: "kubernetes",
    layout: "map",
    schema: kubernetesInstanceSchema,
    entryName: instanceName,
    templates: true,
    title: "kubernetes-CLUSTER.yaml",
  },
  eks: {
    kind: "eks",
    schemaName: "kubernetes",
    layout: "map",
    schema: kubernetesInstanceSchema,
    entryName: instanceName,
    templates: true,
    title: "eks-CLUSTER.yaml",
  },
  adhoc: {
    kind: "adhoc",
    schemaName: "adhoc",
    layout: "map",
    schema: adhocInstanceSchema,
    entryName: instanceName,
    templates: true,
    title: "adhoc-CLUSTER.yaml",
  },
  tron: {
    kind: "tron",
    schemaName: "tron",
    layout: "map",
    schema: tronJobSchema,
    entryName: {
      pattern: TRON_NAME,
      rule: "start with a letter or '_' and use letters, digits, '_' and '-'",
      what: "job",
    },
    templates: true,
    title: "tron-CLUSTER.yaml",
  },
};

/** The JSON Schema (draft-07) of a file kind, as written to schemas/NAME.schema.json. */
export function jsonSchemaFor(spec: FileSpec): Record<string, unknown> {
  const entry = z.toJSONSchema(spec.schema, { target: "draft-7", io: "input", unrepresentable: "any" }) as Record<
    string,
    unknown
  >;
  delete entry.$schema;
  const base = { $schema: "http://json-schema.org/draft-07/schema#", title: spec.title };
  if (spec.layout === "document") return { ...base, ...entry };
  const patternProperties: Record<string, unknown> = {};
  if (spec.templates) patternProperties["^_"] = {};
  const pattern = spec.entryName?.pattern.source ?? ".*";
  patternProperties[spec.templates ? `^(?!_)(?:${stripAnchors(pattern)})$` : pattern] = entry;
  return { ...base, type: "object", patternProperties, additionalProperties: false };
}

function stripAnchors(pattern: string): string {
  return pattern.replace(/^\^/, "").replace(/\$$/, "");
}
