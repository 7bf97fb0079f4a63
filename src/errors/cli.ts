/** The command line itself: arguments the parser refuses, values a flag cannot take, a closed output pipe. */
import type { ErrorDef } from "./def.js";

export const CLI_ERRORS = {
  PAASTA_CLI_USAGE: {
    message: "{detail}",
    fix: "Run `{command} --help` to see its flags and examples.",
    exit: 2,
    http: 400,
  },
  PAASTA_CLI_BAD_VALUE: {
    message: "{flag}: {detail}",
    fix: "{hint} (`--help` shows every flag with an example)",
    exit: 2,
    http: 400,
  },
  PAASTA_API_PORT_IN_USE: {
    message: "cannot serve the API of cluster {cluster} on {address}: the port is in use{holder}",
    fix: "Stop what listens there, or give api_endpoints.{cluster} in {configDir} a free port (e.g. {suggestion}).",
    exit: 3,
    http: 500,
  },
  PAASTA_API_CONNECTION_LOST: {
    message: "the connection to the paasta API of cluster {cluster} at {url} was lost: {detail}",
    fix: "Check that the API still runs (`paasta status`, or the terminal of `paasta up`/`paasta api`), then run the command again.",
    exit: 3,
    http: 503,
  },
} as const satisfies Record<string, ErrorDef>;
