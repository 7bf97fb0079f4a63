/**
 * One reconcile pass's plan, pure: what to do with each app and why, with PaaSTA's safety rails applied.
 *
 * - Code deploys (a SHA not yet running) go first, then config-only changes, then replica changes; within each,
 *   round-robin over services (every service's first instance, then every service's second …).
 * - Apps of a service whose config is invalid are left exactly as they run.
 * - Nothing is deleted when the tree could not be read, or when it yields zero apps while apps run.
 * - Deleting more than `killThreshold` (default 50%) of the managed apps in one pass is refused without force.
 */
import type { ObservedApp } from "../backends/backend.js";
import type { DesiredApp, DesiredState } from "./desired.js";

export type Change = "create" | "code-deploy" | "config-change" | "scale" | "unchanged";

export type PlanItem =
  | { readonly action: "apply"; readonly change: Change; readonly app: DesiredApp; readonly reason: string }
  | { readonly action: "delete"; readonly service: string; readonly instance: string; readonly reason: string }
  | { readonly action: "keep"; readonly service: string; readonly instance: string; readonly reason: string };

export interface Plan {
  readonly items: readonly PlanItem[];
  /** Why deletions were held back, if they were. */
  readonly refused: string | null;
}

export interface PlanOptions {
  readonly force?: boolean;
  readonly killThreshold?: number;
}

const ORDER: Record<Change, number> = { create: 0, "code-deploy": 0, "config-change": 1, scale: 2, unchanged: 3 };

export function classify(app: DesiredApp, observed: ObservedApp | undefined): { change: Change; reason: string } {
  if (!observed) return { change: "create", reason: `new instance, ${app.git_sha.slice(0, 8)} × ${app.replicas}` };
  if (observed.desired_config_hash !== app.config_hash) {
    const running = observed.versions.some((v) => v.git_sha === app.git_sha);
    if (!running) return { change: "code-deploy", reason: `bounce to ${app.git_sha.slice(0, 8)} (${app.config_hash})` };
    return {
      change: "config-change",
      reason: `config changed: ${observed.desired_config_hash ?? "none"} → ${app.config_hash}`,
    };
  }
  // Autoscaled apps: the autoscaler owns the replica count (PaaSTA ignores replica drift for them).
  if (!app.config.autoscaled && observed.desired_replicas !== app.replicas) {
    return { change: "scale", reason: `replicas ${observed.desired_replicas} → ${app.replicas}` };
  }
  return { change: "unchanged", reason: "up to date" };
}

/**
 * Applies in order of change (code deploys first), and within a change round-robin over services: the first
 * instance of every service, then the second of every service…, so every service starts early in a big pass.
 */
export function interleaved<T extends { app: DesiredApp; change: Change }>(items: readonly T[]): T[] {
  const byName = (a: T, b: T) => a.app.instance.localeCompare(b.app.instance);
  const rank = new Map<T, number>();
  const groups = new Map<string, T[]>();
  for (const i of items) {
    const k = `${i.change}\0${i.app.service}`;
    const g = groups.get(k);
    if (g) g.push(i);
    else groups.set(k, [i]);
  }
  for (const g of groups.values()) for (const [n, i] of g.sort(byName).entries()) rank.set(i, n);
  return [...items].sort(
    (a, b) =>
      ORDER[a.change] - ORDER[b.change] ||
      (rank.get(a) ?? 0) - (rank.get(b) ?? 0) ||
      a.app.service.localeCompare(b.app.service) ||
      byName(a, b),
  );
}

export function planPass(
  desired: DesiredState | undefined,
  observed: readonly ObservedApp[],
  opts: PlanOptions = {},
): Plan {
  const items: PlanItem[] = [];
  const byKey = new Map(observed.map((o) => [`${o.service}.${o.instance}`, o]));
  if (!desired) {
    for (const o of observed)
      items.push({ action: "keep", service: o.service, instance: o.instance, reason: "soa-configs could not be read" });
    return { items, refused: "soa-configs could not be read: nothing is changed or deleted" };
  }
  const classified = desired.apps.map((app) => ({
    app,
    ...classify(app, byKey.get(`${app.service}.${app.instance}`)),
  }));
  for (const a of interleaved(classified))
    items.push({ action: "apply", change: a.change, app: a.app, reason: a.reason });

  const wanted = new Set(desired.apps.map((a) => `${a.service}.${a.instance}`));
  const undeployed = new Set(desired.undeployed.map((u) => `${u.service}.${u.instance}`));
  const held = new Map((desired.held ?? []).map((h) => [`${h.service}.${h.instance}`, h.reason]));
  const candidates: PlanItem[] = [];
  for (const o of observed) {
    const key = `${o.service}.${o.instance}`;
    if (wanted.has(key)) continue;
    const why = held.get(key);
    if (why !== undefined) {
      items.push({ action: "keep", service: o.service, instance: o.instance, reason: `left as it runs: ${why}` });
    } else if (desired.frozen.has(o.service)) {
      items.push({
        action: "keep",
        service: o.service,
        instance: o.instance,
        reason: "its service's config has problems: left as it runs",
      });
    } else if (undeployed.has(key)) {
      items.push({
        action: "keep",
        service: o.service,
        instance: o.instance,
        reason: "configured, but its deploy group has no deployment",
      });
    } else {
      candidates.push({
        action: "delete",
        service: o.service,
        instance: o.instance,
        reason: "no longer configured on this cluster",
      });
    }
  }
  const threshold = opts.killThreshold ?? 0.5;
  let refused: string | null = null;
  if (candidates.length > 0) {
    if (desired.apps.length === 0 && desired.frozen.size === 0) {
      refused = `the soa-configs tree yields no app while ${observed.length} run: nothing is deleted`;
    } else if (!opts.force && candidates.length / observed.length > threshold) {
      refused = `refusing to delete ${candidates.length} of ${observed.length} apps (more than ${Math.round(threshold * 100)}%) without --force`;
    }
  }
  if (refused) {
    for (const c of candidates)
      items.push({
        action: "keep",
        service: (c as { service: string }).service,
        instance: (c as { instance: string }).instance,
        reason: refused,
      });
  } else items.push(...candidates);
  return { items, refused };
}
