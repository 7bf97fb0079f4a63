/** Usage, soa-configs and the system config. */
import type { ErrorDef } from "./def.js";

export const CONFIG_ERRORS = {
  PAASTA_USAGE: {
    message: "{detail}",
    fix: "Run the command with --help to see its flags and an example.",
    exit: 2,
    http: 400,
  },
  PAASTA_CONFIG_INVALID: {
    message: "{count} problem(s) found in soa-configs",
    fix: "Fix each located problem listed above, then run `paasta validate` again.",
    exit: 1,
    http: 422,
  },
  PAASTA_INSTANCE_CONFIG_INVALID: {
    message: "{service}.{instance} cannot be read: {problem}",
    fix: "Run `paasta validate -s {service}` and fix what it reports.",
    exit: 1,
    http: 422,
  },
  PAASTA_YAML_SYNTAX: {
    message: "{file}:{line}:{col}: YAML syntax error: {detail}",
    fix: "Correct the YAML at that position (indentation, quoting, a missing colon).",
    exit: 1,
    http: 422,
  },
  PAASTA_SOA_DIR_MISSING: {
    message: "soa-configs directory {dir} does not exist or is not a directory",
    fix: "Pass -d/--soa-dir DIR (or -y), set PAASTA_SOA_DIR, or set `soa_dir` in the system config.",
    exit: 2,
    http: 503,
  },
  PAASTA_SOA_UNREADABLE: {
    message: "cannot read {path}: {detail}",
    fix: "Make the soa-configs tree readable (and its directories searchable) by the user running paasta, or pass -d/--soa-dir with a readable copy.",
    exit: 2,
    http: 503,
  },
  PAASTA_SERVICE_NOT_FOUND: {
    message: "service {service} not found in {dir}",
    fix: "Check the spelling with `paasta list`, or pass the right -d/--soa-dir.",
    exit: 1,
    http: 404,
  },
  PAASTA_INSTANCE_NOT_FOUND: {
    message: "instance {instance} of service {service} is not configured in cluster {cluster}",
    fix: "List the service's instances with `paasta list -i` or `paasta info -s SERVICE`.",
    exit: 1,
    http: 404,
  },
  PAASTA_SYSTEM_CONFIG_MISSING: {
    message: "system config directory {dir} does not exist",
    fix: "Create it with *.json files (see docs/system-config.md) or point PAASTA_SYSTEM_CONFIG_DIR at one.",
    exit: 2,
    http: 500,
  },
  PAASTA_SYSTEM_CONFIG_UNREADABLE: {
    message: "{file}: {detail}",
    fix: "Make the file valid JSON whose top level is an object.",
    exit: 2,
    http: 500,
  },
  PAASTA_SYSTEM_CONFIG_DUPLICATE_KEY: {
    message: "system config key {key} is set by both {first} and {second}",
    fix: "Keep the key in one of the two files: system config files are merged and must not overlap.",
    exit: 2,
    http: 500,
  },
  PAASTA_SYSTEM_CONFIG_KEY_MISSING: {
    message: "system config key {key} is not set in any *.json file under {dir}",
    fix: "Add {key} to a file in {dir}; see docs/system-config.md for its format.",
    exit: 2,
    http: 500,
  },
  PAASTA_SYSTEM_CONFIG_INVALID: {
    message: "system config key {key} (from {file}): {detail}",
    fix: "Correct the value; see docs/system-config.md for the expected format.",
    exit: 2,
    http: 500,
  },
  PAASTA_CLUSTER_UNKNOWN: {
    message: "cluster {cluster} is not listed in the system config key `clusters` ({known})",
    fix: "Add the cluster to `clusters` in the system config, or pick one of the listed clusters.",
    exit: 2,
    http: 404,
  },
  PAASTA_SERVICE_EXISTS: {
    message: "service directory {dir} already exists",
    fix: "Pick another service name, or remove the directory first.",
    exit: 1,
    http: 409,
  },
} as const satisfies Record<string, ErrorDef>;
