/** The HTTP API and its clients. */
import type { ErrorDef } from "./def.js";

export const API_ERRORS = {
  PAASTA_API_UNAUTHORIZED: {
    message: "write refused: {detail}",
    fix: "Send `Authorization: Bearer TOKEN` with the system config's api_auth_token (or $PAASTA_API_TOKEN).",
    exit: 2,
    http: 401,
  },
  PAASTA_API_METHOD_NOT_ALLOWED: {
    message: "{method} is not allowed on {path} (allowed: {allowed})",
    fix: "Use one of the methods in the Allow header; /openapi.json describes every route.",
    exit: 2,
    http: 405,
  },
  PAASTA_API_URI_TOO_LONG: {
    message: "the request URL is longer than {limit} bytes",
    fix: "Send a shorter URL: fewer or shorter query parameters (the API's own paths are short).",
    exit: 2,
    http: 414,
  },
  PAASTA_API_HEADERS_TOO_LARGE: {
    message: "the request's headers are larger than {limit} bytes",
    fix: "Send fewer or smaller headers (an oversized cookie or token is the usual cause).",
    exit: 2,
    http: 431,
  },
  PAASTA_API_UNREACHABLE: {
    message: "cannot reach the paasta API of cluster {cluster} at {url}: {detail}",
    fix: "Start it (`paasta up --cluster {cluster}` or `paasta api --cluster {cluster}`), or fix api_endpoints.{cluster} in the system config.",
    exit: 3,
    http: 503,
  },
  PAASTA_API_TIMEOUT: {
    message: "the request took longer than {seconds}s (paasta api --max-request-seconds)",
    fix: "Try again; if it keeps happening, the backend is slow: raise --max-request-seconds or look at the cluster.",
    exit: 3,
    http: 504,
  },
  PAASTA_API_NOT_HERE: {
    message: "{what} is not served by this API: {detail}",
    fix: "Ask the process that has it (the API of `paasta up` serves everything of a local cluster).",
    exit: 1,
    http: 501,
  },
  PAASTA_API_ERROR: {
    message: "the paasta API of cluster {cluster} answered {status}: {detail}",
    fix: "Read the message; `paasta status` and `paasta logs` show more about the instance.",
    exit: 1,
    http: 502,
  },
} as const satisfies Record<string, ErrorDef>;
