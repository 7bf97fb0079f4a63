/** PaaSTA's labels and annotations on workloads, pod templates, HPAs, PDBs and namespaces (reference §7.2). */
import type { DesiredApp } from "../../../model/app.js";
import { registrationLabels } from "./service.js";
import { MANAGED } from "./types.js";

export const OWNER = "paasta";

/** `paasta.yelp.com/service` and `…/instance`: the selector of every object of an instance. */
export function selectorLabels(app: Pick<DesiredApp, "service" | "instance">): Record<string, string> {
  return { "paasta.yelp.com/instance": app.instance, "paasta.yelp.com/service": app.service };
}

export function workloadLabels(app: DesiredApp): Record<string, string> {
  const labels: Record<string, string> = {
    ...selectorLabels(app),
    "paasta.yelp.com/cluster": app.cluster,
    "paasta.yelp.com/autoscaled": String(app.config.autoscaled),
    "paasta.yelp.com/config_sha": app.config_hash,
    "paasta.yelp.com/deploy_group": app.config.deploy_group,
    "paasta.yelp.com/git_sha": app.git_sha,
    [MANAGED]: "true",
    "paasta.yelp.com/pool": app.config.pool,
    "yelp.com/owner": OWNER,
    "yelp.com/paasta_config_sha": app.config_hash,
    "yelp.com/paasta_git_sha": app.git_sha,
    "yelp.com/paasta_instance": app.instance,
    "yelp.com/paasta_service": app.service,
  };
  if (app.image_version) labels["paasta.yelp.com/image_version"] = app.image_version;
  const shard = app.config.pod.prometheus_shard;
  if (shard !== null) labels["paasta.yelp.com/prometheus_shard"] = shard;
  return labels;
}

export function podLabels(app: DesiredApp): Record<string, string> {
  const labels: Record<string, string> = { ...workloadLabels(app), ...registrationLabels(app) };
  if (app.config.in_mesh) labels["paasta.yelp.com/weight"] = String(app.config.weight);
  if (app.config.cost_owner) labels["yelp.com/cost_owner"] = app.config.cost_owner;
  return labels;
}

export function podAnnotations(app: DesiredApp): Record<string, string> {
  const pod = app.config.pod;
  const annotations: Record<string, string> = {
    "paasta.yelp.com/routable_ip": String(app.config.in_mesh || pod.routable_ip || pod.prometheus_port !== null),
  };
  if (app.config.in_mesh) annotations.smartstack_registrations = JSON.stringify(app.config.registrations);
  if (pod.prometheus_path !== null) annotations["paasta.yelp.com/prometheus_path"] = pod.prometheus_path;
  if (pod.prometheus_port !== null) annotations["paasta.yelp.com/prometheus_port"] = String(pod.prometheus_port);
  return annotations;
}
