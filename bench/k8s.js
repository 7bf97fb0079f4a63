#!/usr/bin/env node
// bench/k8s: ours (`paasta deployd`, k8s/ours.js) and, when paasta-tools is installed, the original PaaSTA's
// `setup_kubernetes_job` (k8s/original.js), each against a control plane of its own (scripts/testenv in a fresh
// PAASTA_TESTENV_DIR, stopped after the side) with the same tree: N instances (N/4 services × 4, 1 replica
// each). Rows per side:
//  1. first pass (creates everything): seconds, writes; and seconds until every pod is Ready;
//  2. no-op pass (ours: in deployd's steady state, the pass, not start-up; and as one-shot `paasta reconcile`
//     runs it, listing): seconds, writes;
//  3. rollout of a new SHA: the pass that writes it (seconds, writes), and
//  4. seconds from writing the new deployments.json files until every pod is Ready on the new SHA;
//  plus, for ours, the API's status route for one instance (ms, from the watched copy); and, per side, what
//  the control plane did over the rollout (`rollout_server`, k8s/server.js): CPU seconds by process (the
//  writer's too), the API server's requests by verb and resource, watch events by resource, controller syncs.
// Options: --instances N (default 1000); --original PYTHON (a python with paasta-tools, e.g. a virtualenv's;
// default $PAASTA_ORIGINAL_PYTHON; without it the original is skipped with a message); --order
// ours,original (default) or original,ours; --keep (leave the control planes running; with PAASTA_TESTENV_DIR
// set, that one control plane is used for every side and left running). Progress on stderr; one JSON object on
// stdout (a side that fails is reported as { error } and the exit status is 1).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { findOriginal, runOriginal } from "./k8s/original.js";
import { runOurs } from "./k8s/ours.js";
import { controlPlane, PER, progress, REPO, round } from "./k8s/tree.js";

const { values: args } = parseArgs({
  options: {
    instances: { type: "string", default: "1000" },
    original: { type: "string", default: process.env.PAASTA_ORIGINAL_PYTHON },
    order: { type: "string", default: "ours,original" },
    keep: { type: "boolean", default: false },
  },
});
const services = Math.ceil(Number(args.instances) / PER);
const dist = (p) => import(join(REPO, "dist", p));
const original = findOriginal(args.original);
const order = args.order.split(",");
/** A usage error: the message alone, exit 2. */
const usage = (message) => {
  process.stderr.write(`bench/k8s: ${message}\n`);
  process.exit(2);
};
if (order.some((s) => s !== "ours" && s !== "original")) usage("--order takes ours,original or original,ours");
if (process.env.PAASTA_TESTENV_DIR && order.length > 1 && !original.skipped)
  usage("with PAASTA_TESTENV_DIR set, run one side on it: --order ours or --order original");
const result = { bench: "k8s", instances: services * PER, services, order };
if (original.skipped) {
  result.original = original.skipped;
  progress(original.skipped);
}
const sides = {
  ours: (ctx) => runOurs(ctx),
  original: (ctx) => runOriginal({ ...ctx, ...original }),
};
for (const side of order) {
  if (side === "original" && original.skipped) continue;
  const root = mkdtempSync(join(tmpdir(), `paasta-bench-k8s-${side}-`));
  const cp = controlPlane(process.env.PAASTA_TESTENV_DIR);
  try {
    result[side] = await sides[side]({ root, kubeconfig: cp.kubeconfig, services, dist });
  } catch (e) {
    // One side failing still reports the other's figures (and the exit status says something failed).
    result[side] = { error: e instanceof Error ? e.message : String(e) };
    process.exitCode = 1;
    progress(`${side} failed: ${result[side].error}`);
  } finally {
    cp.down(args.keep);
    rmSync(root, { recursive: true, force: true });
  }
}
if (result.ours && !result.ours.error && typeof result.original === "object" && !result.original.error) {
  const ratio = (k) => round(result.original[k] / result.ours[k], 2);
  result.original_over_ours = {
    first_pass: ratio("first_pass_seconds"),
    noop_pass: round(result.original.noop_pass_seconds_range[0] / result.ours.noop_pass_seconds, 1),
    rollout_pass: ratio("rollout_pass_seconds"),
    rollout_all_ready: ratio("rollout_all_ready_seconds"),
  };
}
console.log(JSON.stringify(result));
