/**
 * `smartstack.yaml` namespaces (reference §1.11): a service's namespaces with their defaults, and the
 * namespace an instance registers in. Keys only meaningful in Yelp's mesh stay accepted and unread.
 */
import type { SmartstackNamespace } from "../schema/smartstack.js";
import { fileValue, type ServiceDir } from "../soa.js";
import type { ResolvedNamespace } from "../types.js";
import { type Dict, isDict, num, numberMap, str, stringMap } from "./coerce.js";
import { DEFAULTS } from "./defaults.js";

type Mode = ResolvedNamespace["mode"];

export function resolveNamespace(name: string, entry: Dict): ResolvedNamespace {
  const e = entry as Partial<SmartstackNamespace> & Dict;
  const mode = (str(e.mode) as Mode | undefined) ?? DEFAULTS.mesh_mode;
  const hcMode = (str(e.healthcheck_mode) as Mode | undefined) ?? mode;
  return {
    name,
    proxy_port: num(e.proxy_port) ?? null,
    mode,
    healthcheck_mode: hcMode === "http2" ? "http" : hcMode,
    healthcheck_uri: str(e.healthcheck_uri) ?? DEFAULTS.healthcheck_uri,
    healthcheck_timeout_s: num(e.healthcheck_timeout_s) ?? DEFAULTS.mesh_healthcheck_timeout_s,
    timeout_connect_ms: num(e.timeout_connect_ms) ?? DEFAULTS.mesh_timeout_connect_ms,
    timeout_server_ms: num(e.timeout_server_ms) ?? DEFAULTS.mesh_timeout_server_ms,
    timeout_client_ms: num(e.timeout_client_ms) ?? null,
    idle_timeout_s: num(e.idle_timeout) ?? DEFAULTS.mesh_idle_timeout_s,
    endpoint_timeouts: numberMap(e.endpoint_timeouts),
    retries: num(e.retries) ?? DEFAULTS.mesh_retries,
    lb_policy: str(e.lb_policy) ?? balanceAsPolicy(str(e.balance)) ?? DEFAULTS.mesh_lb_policy,
    extra_headers: stringMap(e.extra_headers),
  };
}

/** HAProxy's legacy `balance` in Envoy's words. */
function balanceAsPolicy(balance: string | undefined): string | undefined {
  if (balance === "leastconn") return "LEAST_REQUEST";
  if (balance === "roundrobin") return "ROUND_ROBIN";
  return undefined;
}

/** Every namespace of the service's smartstack.yaml, sorted by name. */
export function resolveNamespaces(svc: ServiceDir): ResolvedNamespace[] {
  const smartstack = fileValue(svc, "smartstack");
  return Object.keys(smartstack)
    .sort()
    .flatMap((name) => {
      const entry = smartstack[name];
      return isDict(entry) ? [resolveNamespace(name, entry)] : [];
    });
}

/**
 * The namespace of an instance's first registration, looked up in the instance's own smartstack.yaml
 * (PaaSTA quirk kept on purpose), when defined there.
 */
export function registrationNamespace(smartstack: Dict, registrations: readonly string[]): ResolvedNamespace | null {
  const first = registrations[0];
  const ns = first?.split(".")[1];
  if (!ns) return null;
  const entry = smartstack[ns];
  return isDict(entry) ? resolveNamespace(ns, entry) : null;
}
