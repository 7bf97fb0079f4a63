/** A batch launch (an action attempt, a one-off run) as the DesiredApp of one replica that runners read. */
import type { ResolvedInstanceConfig } from "../../config/types.js";
import type { DesiredApp } from "../app.js";
import type { PinnedVersion } from "./records.js";

export function batchApp(config: ResolvedInstanceConfig, version: PinnedVersion): DesiredApp {
  return {
    service: config.service,
    instance: config.instance,
    cluster: config.cluster,
    config,
    git_sha: version.git_sha,
    image_version: version.image_version,
    docker_image: version.docker_image,
    image_url: version.image_url,
    git_url: version.git_url,
    desired_state: "start",
    force_bounce: null,
    config_hash: "batch",
    replicas: 1,
  };
}

const quote = (s: string) => (/^[A-Za-z0-9_./:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** The shell command a one-off runs: the instance's `cmd` (argv joined and quoted), stderr folded into stdout. */
export function oneOffCommand(cmd: string | readonly string[] | null, args: readonly string[]): string | null {
  if (cmd === null) return null;
  const text = typeof cmd === "string" ? cmd : [...cmd, ...args].map(quote).join(" ");
  return text.trim() === "" ? null : text;
}
