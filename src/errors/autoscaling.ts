/** Autoscaling: the autoscaler routes and commands (overrides, pause, a set count). */
import type { ErrorDef } from "./def.js";

export const AUTOSCALING_ERRORS = {
  PAASTA_NOT_AUTOSCALED: {
    message: "{service}.{instance} is not autoscaled on {cluster}",
    fix: "Give the instance min_instances and max_instances in its kubernetes-{cluster}.yaml (docs/autoscaling.md).",
    exit: 1,
    http: 404,
  },
  PAASTA_AUTOSCALING_UNSUPPORTED: {
    message: "the {backend} backend cannot {what}",
    fix: "Use an override instead (`paasta autoscale --set-min/--set-max … --for DURATION`), which every backend honours.",
    exit: 1,
    http: 501,
  },
  PAASTA_AUTOSCALING_REQUEST_INVALID: {
    message: "{detail}",
    fix: "See `paasta autoscale --help`: counts are whole numbers ≥ 0 (min ≤ max), durations like 30m, 2h or 1d.",
    exit: 2,
    http: 400,
  },
} as const satisfies Record<string, ErrorDef>;
