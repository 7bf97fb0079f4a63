/**
 * The error catalogue: every error paasta reports to a user is created here, from a stable code.
 *
 * The entries live in src/errors/, one file per domain (add a code to its domain's file). Each carries a
 * message template (`{name}` placeholders), a "how to fix" text, the CLI exit code and the HTTP status the API
 * answers with. `docs/errors.md` lists every code; a test keeps the two in step.
 * Retired codes MUST NOT be reused: move them to RETIRED_CODES instead.
 */

import { API_ERRORS } from "./errors/api.js";
import { AUTOSCALING_ERRORS } from "./errors/autoscaling.js";
import { BACKENDS_ERRORS } from "./errors/backends.js";
import { CLI_ERRORS } from "./errors/cli.js";
import { CONFIG_ERRORS } from "./errors/config.js";
import type { ErrorDef } from "./errors/def.js";
import { DEPLOY_ERRORS } from "./errors/deploy.js";
import { IMAGE_ERRORS } from "./errors/image.js";
import { JOBS_ERRORS } from "./errors/jobs.js";
import { MESH_ERRORS } from "./errors/mesh.js";
import { MONITORING_ERRORS } from "./errors/monitoring.js";
import { PIPELINE_ERRORS } from "./errors/pipeline.js";
import { SECRETS_ERRORS } from "./errors/secrets.js";

export type { ErrorDef };

export const ERRORS = {
  ...CONFIG_ERRORS,
  ...CLI_ERRORS,
  ...DEPLOY_ERRORS,
  ...PIPELINE_ERRORS,
  ...API_ERRORS,
  ...BACKENDS_ERRORS,
  ...IMAGE_ERRORS,
  ...SECRETS_ERRORS,
  ...MESH_ERRORS,
  ...JOBS_ERRORS,
  ...MONITORING_ERRORS,
  ...AUTOSCALING_ERRORS,
} as const satisfies Record<string, ErrorDef>;

export type ErrorCode = keyof typeof ERRORS;

/** Codes that were used once and are gone; never reuse them. */
export const RETIRED_CODES: readonly string[] = [];

/** An error from the catalogue. `params` fill the message's placeholders and travel to API clients. */
export class PaastaError extends Error {
  readonly code: ErrorCode;
  readonly params: Readonly<Record<string, string | number>>;
  readonly fix: string;
  readonly exitCode: number;
  readonly httpStatus: number;

  constructor(code: ErrorCode, params: Record<string, string | number> = {}, options?: { cause?: unknown }) {
    const def: ErrorDef = ERRORS[code];
    super(fill(def.message, params), options);
    this.name = "PaastaError";
    this.code = code;
    this.params = params;
    this.fix = fill(def.fix, params);
    this.exitCode = def.exit;
    this.httpStatus = def.http;
  }

  toJSON(): { code: string; message: string; fix: string } {
    return { code: this.code, message: this.message, fix: this.fix };
  }
}

function fill(template: string, params: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    return value === undefined ? whole : String(value);
  });
}

export function isPaastaError(e: unknown): e is PaastaError {
  return e instanceof PaastaError;
}
