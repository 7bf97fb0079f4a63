/**
 * `paasta pause_service_autoscaler`: PaaSTA's pause of every autoscaler of a cluster for some minutes (`-d`,
 * 120 by default, more than 320 only with `-f`), `-i` says until when, `-r` resumes. Through the cluster's
 * API (`/v1/service_autoscaler/pause`); while paused, counts stay as they are (Kubernetes: the HPAs are
 * removed, replicas kept) and the pause ends by itself.
 */
import type { Command } from "commander";
import { PaastaError } from "../../errors.js";
import { examples, jsonOption, printJson, requireSystemConfig } from "../common.js";
import type { Io } from "../io.js";
import type { Runner } from "../registry.js";
import { answer, writeToken } from "./autoscale.js";
import { humanDuration } from "./status.js";

/** PaaSTA's MAX_PAUSE_DURATION (minutes): longer pauses need --force. */
export const MAX_PAUSE_MINUTES = 320;

interface PauseOptions {
  cluster?: string;
  pauseDuration: string;
  force?: boolean;
  info?: boolean;
  resume?: boolean;
  json?: boolean;
}

export function register(program: Command, io: Io, run: Runner): void {
  const cmd = program
    .command("pause_service_autoscaler")
    .description("Pause the autoscaling of every instance of a cluster for a while (or resume it, or say until when)")
    .option("-c, --cluster <cluster>", "the cluster (default: the system config's cluster)")
    .option("-d, --pause-duration <minutes>", "how long, in minutes", "120")
    .option("-f, --force", `allow a pause longer than ${MAX_PAUSE_MINUTES} minutes`)
    .option("-i, --info", "print until when autoscaling is paused")
    .option("-r, --resume", "resume autoscaling now");
  jsonOption(cmd)
    .addHelpText(
      "after",
      examples(
        "paasta pause_service_autoscaler -c dev -d 30",
        "paasta pause_service_autoscaler -c dev -i",
        "paasta pause_service_autoscaler -c dev -r",
      ),
    )
    .action((opts: PauseOptions) => run(runPause(opts, io)));
}

export async function runPause(opts: PauseOptions, io: Io): Promise<number> {
  const system = await requireSystemConfig(io);
  const cluster = opts.cluster ?? system.cluster();
  const minutes = Number(opts.pauseDuration);
  if (!(minutes > 0))
    throw new PaastaError("PAASTA_AUTOSCALING_REQUEST_INVALID", {
      detail: `-d must be minutes > 0, not ${opts.pauseDuration}`,
    });
  if (minutes > MAX_PAUSE_MINUTES && !opts.force && !opts.info && !opts.resume)
    throw new PaastaError("PAASTA_USAGE", {
      detail: `a pause of ${minutes} minutes is longer than ${MAX_PAUSE_MINUTES}: run again with --force if you are sure`,
    });
  const { apiClient } = await import("../../api/client.js");
  const api = apiClient(system, cluster);
  const path = "/v1/service_autoscaler/pause";
  let r: { paused_until: string | null };
  if (opts.info) r = answer(await api.get(path), cluster);
  else {
    const token = await writeToken(system, cluster, io.env);
    r = answer(opts.resume ? await api.delete(path, token) : await api.post(path, token, { minutes }), cluster);
  }
  if (opts.json) printJson(io, { cluster, ...r });
  else if (r.paused_until === null) io.out(`Autoscaling of cluster ${cluster} is not paused`);
  else {
    const left = humanDuration(Date.parse(r.paused_until) - Date.now());
    io.out(`Autoscaling of cluster ${cluster} is paused until ${r.paused_until} (${left} from now)`);
  }
  return 0;
}
