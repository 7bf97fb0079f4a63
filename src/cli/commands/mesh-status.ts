/** `paasta mesh-status`: the mesh backends of an instance, per namespace it registers in (PaaSTA's command). */
import type { Command } from "commander";
import { PaastaError } from "../../errors.js";
import type { MeshStatus } from "../../model/mesh.js";
import {
  commaList,
  examples,
  jsonOption,
  printJson,
  requireSystemConfig,
  resolveSoaDir,
  type SoaDirOptions,
  soaDirOptions,
} from "../common.js";
import { type Io, marks } from "../io.js";
import { meshLines } from "../mesh-lines.js";
import type { Runner } from "../registry.js";
import { clientsFor, longRunningTargets } from "../targets.js";

interface MeshStatusOptions extends SoaDirOptions {
  service: string;
  instance?: string;
  clusters?: string;
  json?: boolean;
}

export function register(program: Command, io: Io, run: Runner): void {
  const cmd = program
    .command("mesh-status")
    .description(
      "Show the mesh backends of a service's instances: per namespace, each task's address, state and sessions",
    )
    .requiredOption("-s, --service <service>", "the service")
    .option("-i, --instance <instances>", "comma-separated instances (default: every long-running instance)")
    .option("-c, --clusters <clusters>", "comma-separated clusters (default: every cluster the service runs on)");
  jsonOption(soaDirOptions(cmd))
    .addHelpText(
      "after",
      `${examples("paasta mesh-status -s hello -i main -c dev", "paasta mesh-status -s hello --json")}
States: up (in rotation), draining (no new requests; in-flight ones finish), down (starting or failing its
health check). Sessions: requests in flight through the proxy. See docs/mesh.md.
`,
    )
    .action((opts: MeshStatusOptions) => run(runMeshStatus(opts, io)));
}

export async function runMeshStatus(opts: MeshStatusOptions, io: Io): Promise<number> {
  const system = await requireSystemConfig(io);
  const soaDir = await resolveSoaDir(opts, io);
  const targets = await longRunningTargets(soaDir, system, opts.service, {
    clusters: commaList(opts.clusters),
    instances: commaList(opts.instance),
  });
  if (targets.length === 0)
    throw new PaastaError("PAASTA_NO_INSTANCES_MATCH", {
      service: opts.service,
      filters: "the given filters (long-running instances only)",
    });
  const clients = await clientsFor(system, new Set(targets.map((t) => t.cluster)));
  const results = await Promise.all(
    targets.map(async (t) => {
      const client = clients.get(t.cluster);
      if (!client) return { target: t, error: `no api_endpoints entry for cluster ${t.cluster}` };
      try {
        const r = await client.get<MeshStatus & { message?: string }>(
          `/v1/services/${opts.service}/${t.instance}/mesh_status`,
        );
        if (r.status !== 200) return { target: t, error: r.body?.message ?? `HTTP ${r.status}` };
        return { target: t, mesh: r.body };
      } catch (e) {
        return { target: t, error: (e as Error).message };
      }
    }),
  );
  const failed = results.filter((r) => r.error).length;
  if (opts.json) {
    printJson(
      io,
      results.map((r) => ({
        cluster: r.target.cluster,
        instance: r.target.instance,
        ...(r.mesh ? { mesh: r.mesh } : { error: r.error }),
      })),
    );
    return failed === 0 ? 0 : 1;
  }
  const m = marks(io);
  let cluster = "";
  for (const r of results) {
    if (r.target.cluster !== cluster) {
      cluster = r.target.cluster;
      io.out(m.bold(`cluster: ${cluster}`));
    }
    io.out(`  ${opts.service}.${r.target.instance}`);
    if (!r.mesh) {
      io.out(`    ${m.red(r.error ?? "no mesh status")}`);
      continue;
    }
    for (const line of meshLines(io, r.mesh)) io.out(`    ${line}`);
  }
  return failed === 0 ? 0 : 1;
}
