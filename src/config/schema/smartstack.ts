/** `smartstack.yaml`: proxy (service mesh) namespaces. Top-level keys are namespace names. */
import { z } from "zod";
import { integer, stringList } from "./common.js";
import { field, ignoredField } from "./meta.js";

const proxyMode = z.enum(["http", "https", "http2", "tcp"]);
const YELP_MESH = "Yelp mesh extra (Envoy/Casper); accepted and inert";
const OWN_CHECK = "rotation follows the instance's own health check (docs/mesh.md): no separate mesh-side check";
const ONE_LOCATION =
  "validated; a cluster is one location (the local proxy serves this machine, a Service its cluster)";

export const smartstackNamespaceKeys = {
  proxy_port: z.union([integer().min(19000).max(21000), z.null()]).meta({
    description: "Cluster-wide unique local proxy port in 19000–21000 (required); null = discovery only.",
  }),
  mode: field(proxyMode, { description: "Proxy mode.", default: "http" }),
  healthcheck_mode: field(proxyMode, { description: "Mesh health check mode.", defaultText: "= mode (http2 → http)" }),
  healthcheck_uri: field(z.string().regex(/^\/[-_0-9a-zA-Z/?&.=]*$/, "must be a path starting with '/'"), {
    description: "Mesh health check path.",
    default: "/status",
  }),
  healthcheck_port: ignoredField(integer().min(0).max(65535), "Health check port, if not the service port.", OWN_CHECK),
  healthcheck_timeout_s: ignoredField(z.number().min(0).max(10), "Mesh health check timeout (default 1).", OWN_CHECK),
  healthcheck_body_expect: ignoredField(z.string(), "Expected health check body.", OWN_CHECK),
  extra_healthcheck_headers: ignoredField(z.record(z.string(), z.string()), "Extra health check headers.", OWN_CHECK),
  updown_timeout_s: ignoredField(integer().min(0), "Up/down timeout.", OWN_CHECK),
  timeout_connect_ms: field(integer().min(0).max(60000), { description: "Connect timeout.", default: 200 }),
  timeout_server_ms: field(integer().min(0), { description: "Server timeout.", default: 1000 }),
  timeout_client_ms: field(integer().min(0), "Client timeout."),
  idle_timeout: field(integer().min(0), { description: "Idle timeout, seconds.", default: 60 }),
  endpoint_timeouts: field(z.record(z.string(), z.number().min(0)), "Per-path server timeouts (ms)."),
  retries: field(integer().min(0).max(10), { description: "Connect-failure retries.", default: 1 }),
  lb_policy: field(z.enum(["ROUND_ROBIN", "LEAST_REQUEST", "RING_HASH", "RANDOM", "MAGLEV", "CLUSTER_PROVIDED"]), {
    description: "Load-balancing policy.",
    default: "ROUND_ROBIN",
  }),
  balance: field(z.enum(["leastconn", "roundrobin"]), "Legacy HAProxy balance."),
  advertise: ignoredField(stringList, "Location types instances register in (default [region]).", ONE_LOCATION),
  discover: ignoredField(
    z.string(),
    "Location type clients balance over; must be in advertise (default region).",
    ONE_LOCATION,
  ),
  extra_advertise: ignoredField(
    z.record(z.string(), stringList),
    "Extra advertisements type:value → [type:value].",
    ONE_LOCATION,
  ),
  extra_headers: field(z.record(z.string(), z.unknown()), "Extra request headers."),
  port: ignoredField(integer().min(0).max(65535), "Legacy fixed port.", YELP_MESH),
  allredisp: ignoredField(z.boolean(), "HAProxy redispatch.", YELP_MESH),
  choice_count: ignoredField(integer().min(1), "Envoy choice count.", YELP_MESH),
  chaos: ignoredField(z.record(z.string(), z.unknown()), "Fault injection.", YELP_MESH),
  proxied_through: ignoredField(z.string(), "Proxy through another namespace.", YELP_MESH),
  clb_proxy: ignoredField(z.string(), "CLB proxy namespace.", YELP_MESH),
  fixed_delay: ignoredField(z.record(z.string(), z.unknown()), "Fixed delay injection.", YELP_MESH),
  is_proxy: ignoredField(z.boolean(), "Marks a proxy namespace.", YELP_MESH),
  plugins: ignoredField(z.record(z.string(), z.unknown()), "Mesh plugins.", YELP_MESH),
  allow_websocket_upgrade: ignoredField(z.boolean(), "Websocket upgrade.", YELP_MESH),
  vip_upgrade: ignoredField(z.string(), "VIP upgrade namespace.", YELP_MESH),
  monitoring: ignoredField(z.record(z.string(), z.unknown()), "Mesh error-rate alerts.", "Yelp Prometheus rules"),
};

export const smartstackNamespaceSchema = z.strictObject(smartstackNamespaceKeys);
export type SmartstackNamespace = z.infer<typeof smartstackNamespaceSchema>;
