/**
 * One-off runs (`paasta remote-run`, PaaSTA's command) of an adhoc instance — or any kubernetes/eks instance —
 * on the cluster's backend: its resolved config and the version its deploy group runs, with the given command
 * (else its own `cmd`), stopped after its maximum duration.
 */

import type { OneOffRecord, OneOffRuns } from "../../backends/batch.js";
import { loadServiceDir } from "../../config/file-check.js";
import { DEFAULTS, instanceNames, resolveInstance } from "../../config/resolve/index.js";
import type { SystemConfig } from "../../config/system.js";
import { deploymentFor, readDeployments } from "../../deploy/deployments-file.js";
import { resolveGitUrl } from "../../deploy/git-url.js";
import { PaastaError } from "../../errors.js";
import { dockerImageUrl } from "../../image/naming.js";
import type { OneOffOutputWire, OneOffWire } from "../../model/jobs/wire.js";

export interface OneOffRequest {
  readonly service: string;
  readonly instance: string;
  readonly cmd?: string;
  readonly user: string;
  readonly maxDurationSeconds?: number;
}

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

export function oneOffWire(r: OneOffRecord): OneOffWire {
  return { ...r, started_at: new Date(r.started_at).toISOString(), ended_at: iso(r.ended_at) };
}

export class OneOffService {
  constructor(private readonly o: { soaDir: string; system?: SystemConfig; cluster: string; store: OneOffRuns }) {}

  async start(req: OneOffRequest): Promise<OneOffWire> {
    const { soaDir, cluster } = this.o;
    const fail = (detail: string) =>
      new PaastaError("PAASTA_REMOTE_RUN_FAILED", { service: req.service, instance: req.instance, cluster, detail });
    let svc: ReturnType<typeof loadServiceDir>;
    try {
      svc = loadServiceDir(soaDir, req.service);
    } catch {
      throw new PaastaError("PAASTA_SERVICE_NOT_FOUND", { service: req.service, dir: soaDir });
    }
    const kind = (["adhoc", "kubernetes", "eks"] as const).find((k) =>
      instanceNames(svc, k, cluster).includes(req.instance),
    );
    if (!kind)
      throw new PaastaError("PAASTA_INSTANCE_NOT_FOUND", { service: req.service, instance: req.instance, cluster });
    const r = resolveInstance(svc, this.o.system, cluster, req.instance, kind);
    if (!r.ok) throw fail(`its config has problems: ${r.problems.map((p) => p.message).join("; ")}`);
    const d = deploymentFor(readDeployments(soaDir, req.service), r.config.deploy_group);
    if (!d) throw fail(`nothing is deployed for deploy group ${r.config.deploy_group}`);
    const cmd = req.cmd ?? r.config.cmd;
    if (cmd === null || (Array.isArray(cmd) && cmd.length === 0))
      throw fail("the instance has no cmd: give one with --cmd");
    const config = { ...r.config, cmd, args: req.cmd === undefined ? r.config.args : [] };
    const record = await this.o.store.startOneOff({
      service: req.service,
      instance: req.instance,
      cluster,
      config,
      user: req.user,
      maxDurationSeconds: req.maxDurationSeconds ?? DEFAULTS.remote_run_max_duration_seconds,
      version: {
        git_sha: d.git_sha,
        image_version: d.image_version ?? null,
        docker_image: d.docker_image,
        image_url: config.docker_registry
          ? dockerImageUrl(config.docker_registry, req.service, d.git_sha, d.image_version)
          : null,
        git_url: config.git_url ? resolveGitUrl(config.git_url, svc.dir) : null,
      },
    });
    return oneOffWire(record);
  }

  async list(service?: string): Promise<OneOffWire[]> {
    return (await this.o.store.oneOffs({ service })).map(oneOffWire);
  }

  private async find(id: string): Promise<OneOffRecord> {
    const r = (await this.o.store.oneOffs()).find((x) => x.id === id);
    if (!r) throw new PaastaError("PAASTA_REMOTE_RUN_NOT_FOUND", { id, cluster: this.o.cluster });
    return r;
  }

  async output(id: string, offset: number): Promise<OneOffOutputWire> {
    const r = await this.find(id);
    const out = await this.o.store.oneOffOutput(id, offset);
    return { run: oneOffWire(r), ...out };
  }

  async stop(id: string): Promise<OneOffWire> {
    await this.find(id);
    await this.o.store.stopOneOff(id);
    return oneOffWire(await this.find(id));
  }
}
