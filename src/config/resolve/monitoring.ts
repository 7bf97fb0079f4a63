/**
 * Monitoring keys (reference §1.12), each resolved in PaaSTA's order: instance override → monitoring.yaml
 * (already merged under it) → the same key at the top level of service.yaml → built-in default.
 */
import type { ResolvedMonitoring } from "../types.js";
import { type Dict, isDict, num, str, strList } from "./coerce.js";
import { DEFAULTS } from "./defaults.js";

/** Keys PaaSTA also looks up at the top level of service.yaml. */
const SERVICE_LEVEL = new Set([
  "team",
  "page",
  "runbook",
  "tip",
  "notification_email",
  "ticket",
  "project",
  "priority",
]);

export function resolveMonitoring(merged: unknown, serviceYaml: Dict): ResolvedMonitoring {
  const m = isDict(merged) ? merged : {};
  const pick = (k: string): unknown => (m[k] !== undefined || !SERVICE_LEVEL.has(k) ? m[k] : serviceYaml[k]);
  const email = pick("notification_email");
  const component = pick("component");
  const alertAfter = pick("alert_after");
  return {
    team: str(pick("team")) ?? null,
    page: pick("page") === true,
    runbook: str(pick("runbook")) ?? null,
    tip: str(pick("tip")) ?? null,
    notification_email: typeof email === "string" || typeof email === "boolean" ? email : null,
    ticket: pick("ticket") === true,
    project: str(pick("project")) ?? null,
    priority: pick("priority") === undefined ? null : String(pick("priority")),
    tags: strList(pick("tags")) ?? [],
    slack_channels: strList(pick("slack_channels")) ?? [],
    irc_channels: strList(pick("irc_channels")) ?? [],
    alert_after: typeof alertAfter === "string" || typeof alertAfter === "number" ? alertAfter : null,
    realert_every: num(pick("realert_every")) ?? DEFAULTS.realert_every,
    check_oom_events: pick("check_oom_events") !== false,
    component: typeof component === "string" ? component : (strList(component) ?? null),
    description: str(pick("description")) ?? null,
    issuetype: str(pick("issuetype")) ?? null,
    dependencies: strList(pick("dependencies")) ?? [],
    check_that_every_day_has_a_successful_run: pick("check_that_every_day_has_a_successful_run") === true,
    page_for_expected_runtime: pick("page_for_expected_runtime") === true,
  };
}
