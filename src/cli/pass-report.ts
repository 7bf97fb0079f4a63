/**
 * What `paasta up` and `paasta deployd` print after each reconcile pass: what changed and why, services left
 * as they run because of config problems, refused deletions, and why soa-configs could not be read — each
 * printed once, not again for every identical pass.
 */

import { describeRouteOutcome } from "../reconcile/mesh-pass.js";
import { describeOutcome, isNews, itemName } from "../reconcile/outcome.js";
import type { PassResult } from "../reconcile/pass.js";
import { type Io, marks } from "./io.js";

export function passReporter(io: Io): (r: PassResult) => void {
  const m = marks(io);
  let last = "";
  return (r) => {
    const news = r.outcomes.filter(isNews);
    const frozen = [...(r.desired?.frozen ?? [])];
    const held = r.desired?.held ?? [];
    const routes = (r.routes?.outcomes ?? []).filter((o) => o.kind !== "unchanged" && o.kind !== "kept");
    const summary = [
      news.map((o) => `${o.kind}:${itemName(o.item)}`).join(","),
      routes.map((o) => `${o.kind}:${o.item.route.registration}`).join(","),
      r.routes?.refused ?? "",
      r.routes?.error?.message ?? "",
      frozen.map(([s]) => s).join(","),
      held.map((h) => `${h.service}.${h.instance}:${h.reason}`).join(","),
      (r.removedShared ?? []).join(","),
      r.plan.refused ?? "",
      r.treeError ?? "",
    ].join("|");
    if (summary === last) return;
    last = summary;
    if (r.treeError) io.out(m.fail(`soa-configs could not be read, nothing is changed: ${r.treeError}`));
    for (const o of news) io.out(o.kind === "failed" ? m.fail(describeOutcome(o)) : m.ok(describeOutcome(o)));
    for (const [service, problems] of frozen) {
      io.out(
        m.warn(
          `${service}: config has ${problems.length} problem(s), left as it runs (paasta validate -s ${service} shows them)`,
        ),
      );
    }
    for (const h of held) io.out(m.warn(`${h.service}.${h.instance}: left as it runs: ${h.reason}`));
    for (const name of r.removedShared ?? []) io.out(m.ok(`deleted Secret ${name}: no app uses it any more`));
    if (r.plan.refused) io.out(m.warn(r.plan.refused));
    for (const o of routes)
      io.out(o.kind === "failed" ? m.fail(describeRouteOutcome(o)) : m.ok(describeRouteOutcome(o)));
    if (r.routes?.refused) io.out(m.warn(r.routes.refused));
    if (r.routes?.error) io.out(m.fail(`mesh routes could not be read: ${r.routes.error.message}`));
  };
}
