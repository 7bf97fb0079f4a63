/** Reads a service's deploy.yaml into a plan, refusing to run a file with located problems. */
import { checkFile } from "../config/file-check.js";
import { formatProblem } from "../config/problem.js";
import { type DeployConfig, deployFileSchema } from "../config/schema/deploy.js";
import { findFile, readServiceDir, type ServiceDir } from "../config/soa.js";
import { normaliseService, serviceGitUrl } from "../deploy/remote.js";
import { PaastaError } from "../errors.js";
import { type Plan, planPipeline, stageOf } from "./plan.js";
import type { Range } from "./state.js";

export interface LoadedService {
  readonly svc: ServiceDir;
  readonly service: string;
  /** The service's git repository: its deploy record and its pipeline state. */
  readonly url: string;
}

export function loadService(soaDir: string, service: string): LoadedService {
  const svc = readServiceDir(soaDir, normaliseService(service));
  const url = serviceGitUrl(svc);
  if (url === null) throw new PaastaError("PAASTA_NO_GIT_URL", { service: svc.name });
  return { svc, service: svc.name, url };
}

function invalid(service: string, problems: readonly string[]): PaastaError {
  const shown = problems.slice(0, 5).join("; ");
  const more = problems.length > 5 ? ` (and ${problems.length - 5} more)` : "";
  return new PaastaError("PAASTA_PIPELINE_INVALID", { service, detail: `${shown}${more}` });
}

export function loadPlan(svc: ServiceDir): Plan {
  const file = findFile(svc, "deploy");
  if (!file) throw invalid(svc.name, [`${svc.name}/deploy.yaml does not exist`]);
  if (!file.doc) throw invalid(svc.name, file.problems.map(formatProblem));
  const problems = checkFile("deploy", file.doc).map(formatProblem);
  if (problems.length > 0) throw invalid(svc.name, problems);
  const { plan, problems: more } = planPipeline(deployFileSchema.parse(file.doc.value) as DeployConfig);
  if (more.length > 0)
    throw invalid(
      svc.name,
      more.map((p) => `${file.name}: ${p}`),
    );
  return plan;
}

/** --from / --to as stage indices; an unknown step is a usage error that lists the steps. */
export function rangeOf(plan: Plan, from?: string, to?: string): Range {
  const index = (name: string | undefined, flag: string) => {
    if (name === undefined) return undefined;
    const stage = stageOf(plan, name);
    if (!stage) {
      const steps = plan.stages.flatMap((s) => s.steps.map((x) => x.name)).join(", ");
      throw new PaastaError("PAASTA_USAGE", { detail: `${flag} ${name}: not a step of deploy.yaml (steps: ${steps})` });
    }
    return stage.index;
  };
  const range = { from: index(from, "--from"), to: index(to, "--to") };
  if (range.from !== undefined && range.to !== undefined && range.from > range.to)
    throw new PaastaError("PAASTA_USAGE", { detail: `--from ${from} comes after --to ${to} in the pipeline` });
  return range;
}
