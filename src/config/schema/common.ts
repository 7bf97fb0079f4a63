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

export const env = z.record(z.string().regex(ENV_NAME, "must be a valid environment variable name"), z.string());

export const stringList = z.array(z.string());

const selectorKey = z.string().regex(/^[a-zA-Z0-9]+[a-zA-Z0-9-_./]*[a-zA-Z0-9]+$/, "must be a valid node label name");

const selectorRequirement = z.union([
  z.strictObject({ operator: z.enum(["In", "NotIn"]), values: stringList }),
  z.strictObject({ operator: z.enum(["Exists", "DoesNotExist"]) }),
  z.strictObject({ operator: z.enum(["Gt", "Lt"]), value: z.number().int() }),
]);

/** node label -> value | [values] | [{operator, values|value}] */
export const nodeSelectors = z.record(selectorKey, z.union([z.string(), stringList, z.array(selectorRequirement)]));

export const nodeSelectorsPreferred = z.array(z.strictObject({ weight: z.number().int(), preferences: nodeSelectors }));

export const volumeMode = z.enum(["RO", "RW"]);

export const extraVolume = z.strictObject({
  containerPath: z.string(),
  hostPath: z.string(),
  mode: volumeMode,
});

export const secretVolume = z.strictObject({
  container_path: z.string(),
  secret_name: z.string(),
  default_mode: z.string().optional(),
  items: z
    .array(z.strictObject({ key: z.string(), path: z.string(), mode: z.string().optional() }))
    .max(1)
    .optional(),
});

export const projectedSaVolume = z.strictObject({
  container_path: z.string(),
  audience: z.string(),
  expiration_seconds: z.number().int().optional(),
});

export const persistentVolume = z.strictObject({
  container_path: z.string(),
  size: z.number().int().positive(),
  mode: volumeMode,
  storage_class_name: z.string().optional(),
});

export const awsEbsVolume = z.looseObject({
  volume_id: z.string(),
  container_path: z.string(),
  mode: volumeMode,
  fs_type: z.string().optional(),
  partition: z.number().int().optional(),
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

export const iamRole = z
  .string()
  .regex(/^arn:aws:iam::[0-9]+:role\/[a-zA-Z0-9+=,.@_-]+$/, "must be an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)");

/** `30s`, `5m`, `1h`, … or an integer number of seconds. */
export const alertAfter = z.union([
  z.string().regex(/^[1-9]+[0-9]*[YMWDhms]$/, "must look like 30s, 5m, 1h or 2D"),
  z.number().int().min(0),
]);

/** A Tron-style time delta: `10 s`, `2h`, `30 minutes`. */
export const timeDelta = z
  .string()
  .regex(/^\d+\s*[a-z]+$/, "must be a number followed by a unit, e.g. '30m' or '2 hours'");
