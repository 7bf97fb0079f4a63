/** Value shapes shared by several soa-configs file types. */
import { z } from "zod";
import { ENV_NAME } from "../patterns.js";

export { DEPLOY_GROUP, ENV_NAME, INSTANCE_NAME, SECRET_REF, TRON_NAME } from "../patterns.js";

/** `^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`, at most 63 characters. */
export const costOwner = z
  .string()
  .regex(
    /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/,
    "must be lowercase letters, digits and '-', not starting or ending with '-'",
  )
  .max(63);

/**
 * An integer of any size, as PaaSTA's JSON Schemas' "integer" (zod's `.int()` stops at 2^53; YAML numbers above
 * it are read as the nearest double, as Python's json would print them).
 */
export function integer() {
  return z
    .number()
    .check(z.refine(Number.isInteger, { message: "must be an integer" }))
    .meta({ type: "integer" });
}

export const env = z.record(z.string().regex(ENV_NAME, "must be a valid environment variable name"), z.string());

export const stringList = z.array(z.string());

const selectorKey = z.string().regex(/^[a-zA-Z0-9]+[a-zA-Z0-9-_./]*[a-zA-Z0-9]+$/, "must be a valid node label name");

const selectorRequirement = z.union([
  z.strictObject({ operator: z.enum(["In", "NotIn"]), values: stringList }),
  z.strictObject({ operator: z.enum(["Exists", "DoesNotExist"]) }),
  z.strictObject({ operator: z.enum(["Gt", "Lt"]), value: integer() }),
]);

/** node label -> value | [values] | [{operator, values|value}] */
export const nodeSelectors = z.record(selectorKey, z.union([z.string(), stringList, z.array(selectorRequirement)]));

export const nodeSelectorsPreferred = z.array(
  z.strictObject({ weight: integer().optional(), preferences: nodeSelectors }),
);

export const volumeMode = z.enum(["RO", "RW"]);

/** `mode` may be left out, as in PaaSTA: the volume is then read-only (DEFAULTS.volume_mode). */
export const extraVolume = z.strictObject({
  containerPath: z.string(),
  hostPath: z.string(),
  mode: volumeMode.optional(),
});

/** Open objects in PaaSTA's schema: other keys are accepted (validate warns that paasta does not read them). */
export const secretVolume = z.looseObject({
  container_path: z.string(),
  secret_name: z.string(),
  default_mode: z.string().optional(),
  items: z
    .array(z.looseObject({ key: z.string(), path: z.string(), mode: z.string().optional() }))
    .max(1)
    .optional(),
});

export const projectedSaVolume = z.looseObject({
  container_path: z.string(),
  audience: z.string(),
  expiration_seconds: integer().optional(),
});

export const persistentVolume = z.strictObject({
  container_path: z.string(),
  size: integer().positive(),
  mode: volumeMode.optional(),
  storage_class_name: z.string().optional(),
});

export const awsEbsVolume = z.looseObject({
  volume_id: z.string(),
  container_path: z.string(),
  mode: volumeMode.optional(),
  fs_type: z.string().optional(),
  partition: integer().optional(),
});

export const ssmSecrets = z.array(
  z.strictObject({
    source: z.string().regex(/^[a-zA-Z0-9._/-]+$/),
    secret_name: z.string().regex(ENV_NAME),
  }),
);

export const cryptoKeys = z.strictObject({
  encrypt: z.array(z.string().regex(/^[a-zA-Z0-9_.-]+$/)).optional(),
  decrypt: z.array(z.string().regex(/^[a-zA-Z0-9_.-]+$/)).optional(),
});

/** An IAM role ARN, or "" for none (as PaaSTA's schema allows). */
export const iamRole = z.union([
  z.literal(""),
  z
    .string()
    .regex(
      /^arn:aws:iam::[0-9]+:role\/[a-zA-Z0-9+=,.@_-]+$/,
      "must be an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)",
    ),
]);

/** `30s`, `5m`, `1h`, … or an integer number of seconds. */
export const alertAfter = z.union([
  z.string().regex(/^[1-9]+[0-9]*[YMWDhms]$/, "must look like 30s, 5m, 1h or 2D"),
  integer().min(0),
]);

/** A Tron-style time delta: `10 s`, `2h`, `30 minutes`. */
export const timeDelta = z
  .string()
  .regex(/^\d+\s*[a-z]+$/, "must be a number followed by a unit, e.g. '30m' or '2 hours'");
