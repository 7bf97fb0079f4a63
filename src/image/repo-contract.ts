/**
 * `paasta check`: does a service's git repository honour PaaSTA's contract? A Dockerfile (or a Makefile
 * `cook-image` target), Makefile targets `test`, `itest` and `cook-image` that use DOCKER_TAG, a soa-configs
 * directory with deploy.yaml whose deploy groups match the instances, a monitoring team, a reachable git_url.
 */
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { loadServiceDir } from "../config/file-check.js";
import { instanceNames, resolveInstance, resolveMonitoring, resolveTronJob } from "../config/resolve/index.js";
import { pipelineDeployGroups } from "../config/rules/deploy-groups.js";
import { LONG_RUNNING_TYPES } from "../config/schema/index.js";
import { fileValue, findFile, type ServiceDir, serviceClusters } from "../config/soa.js";
import { resolveGitUrl } from "../deploy/git-url.js";

const exec = promisify(execFile);

export interface ContractCheck {
  readonly ok: boolean;
  readonly message: string;
  /** Extra lines (what to do). */
  readonly detail?: readonly string[];
}

export async function checkRepoContract(repoDir: string, soaDir: string, service: string): Promise<ContractCheck[]> {
  const out: ContractCheck[] = [];
  let svc: ServiceDir | undefined;
  try {
    svc = loadServiceDir(soaDir, service);
    out.push({ ok: true, message: `soa-configs directory for ${service} found in ${soaDir}` });
  } catch {
    out.push({
      ok: false,
      message: `no soa-configs directory for ${service} in ${soaDir}`,
      detail: [`create it with: paasta fsm -s ${service} -y ${soaDir}`],
    });
  }
  out.push(...makefileChecks(repoDir));
  out.push(...(await Promise.all(makeTargetChecks(repoDir))));
  if (!svc) return out;
  out.push(deployYamlCheck(svc), ...deployGroupChecks(svc), monitoringCheck(svc), smartstackCheck(svc));
  out.push(await gitCheck(svc));
  return out;
}

function makefileChecks(repoDir: string): ContractCheck[] {
  const out: ContractCheck[] = [];
  const dockerfile = existsSync(join(repoDir, "Dockerfile"));
  const makefilePath = join(repoDir, "Makefile");
  const makefile = existsSync(makefilePath) ? readFileSync(makefilePath, "utf8") : undefined;
  const cookTarget = makefile !== undefined && /^cook-image\s*:/m.test(makefile);
  out.push(
    dockerfile || cookTarget
      ? { ok: true, message: dockerfile ? "Found Dockerfile" : "Found a Makefile cook-image target" }
      : {
          ok: false,
          message: "No Dockerfile and no Makefile cook-image target",
          detail: ["paasta cook-image builds the Dockerfile, or runs `make cook-image` with DOCKER_TAG set"],
        },
  );
  if (makefile === undefined) {
    out.push({
      ok: false,
      message: "No Makefile",
      detail: ["add a Makefile with targets test, itest and cook-image (see docs/cli.md#check)"],
    });
    return out;
  }
  out.push({ ok: true, message: "Found Makefile" });
  out.push(
    /^\t/m.test(makefile)
      ? { ok: true, message: "Makefile uses tabs for recipes" }
      : {
          ok: false,
          message: "Makefile has no tab-indented recipe lines",
          detail: ["make needs recipe lines indented with a tab"],
        },
  );
  out.push(
    makefile.includes("DOCKER_TAG")
      ? { ok: true, message: "Makefile uses DOCKER_TAG" }
      : {
          ok: false,
          message: "Makefile does not use DOCKER_TAG",
          detail: ["paasta passes the image name as DOCKER_TAG to `make cook-image` and `make itest`"],
        },
  );
  return out;
}

function makeTargetChecks(repoDir: string): Array<Promise<ContractCheck>> {
  if (!existsSync(join(repoDir, "Makefile"))) return [];
  return ["cook-image", "itest", "test"].map(async (target) => {
    // `make --question` exits 0 or 1 when the target exists, 2 when there is no rule for it.
    const code = await exec("make", ["--question", target], { cwd: repoDir, timeout: 10_000 }).then(
      () => 0,
      (e: { code?: number | string }) => (typeof e.code === "number" ? e.code : 2),
    );
    return code <= 1
      ? { ok: true, message: `Makefile responds to ${target}` }
      : { ok: false, message: `Makefile has no ${target} target`, detail: [`add a \`${target}:\` target`] };
  });
}

function deployYamlCheck(svc: ServiceDir): ContractCheck {
  return findFile(svc, "deploy")
    ? { ok: true, message: "deploy.yaml exists" }
    : {
        ok: false,
        message: "deploy.yaml is missing",
        detail: ["add deploy.yaml with a pipeline of steps (see docs/config.md#deployyaml)"],
      };
}

/** Deploy groups of deploy.yaml that no instance uses, and instances whose deploy group is not in deploy.yaml. */
function deployGroupChecks(svc: ServiceDir): ContractCheck[] {
  const pipeline = new Set(pipelineDeployGroups(fileValue(svc, "deploy")));
  const used = new Set<string>();
  for (const cluster of serviceClusters(svc)) {
    for (const kind of [...LONG_RUNNING_TYPES, "adhoc"] as const) {
      for (const name of instanceNames(svc, kind, cluster)) {
        const r = resolveInstance(svc, undefined, cluster, name, kind, { bestEffort: true });
        const cfg = r.ok ? r.config : r.partial;
        if (cfg) used.add(cfg.deploy_group);
      }
    }
    for (const job of instanceNames(svc, "tron", cluster)) {
      const r = resolveTronJob(svc, undefined, cluster, job, { bestEffort: true });
      const cfg = r.ok ? r.config : r.partial;
      for (const a of cfg?.actions ?? []) if (a.deploy_group) used.add(a.deploy_group);
    }
  }
  const missing = [...used].filter((dg) => !pipeline.has(dg)).sort();
  const unused = [...pipeline].filter((dg) => !used.has(dg)).sort();
  const out: ContractCheck[] = [];
  out.push(
    missing.length === 0
      ? { ok: true, message: "All instances use deploy groups of deploy.yaml" }
      : {
          ok: false,
          message: `Deploy groups used by instances but missing from deploy.yaml: ${missing.join(", ")}`,
          detail: ["add them as pipeline steps, or fix the instances' deploy_group"],
        },
  );
  out.push(
    unused.length === 0
      ? { ok: true, message: "All deploy groups of deploy.yaml are used by an instance" }
      : {
          ok: false,
          message: `Deploy groups of deploy.yaml that no instance uses: ${unused.join(", ")}`,
          detail: ["remove the steps, or point an instance's deploy_group at them"],
        },
  );
  return out;
}

function monitoringCheck(svc: ServiceDir): ContractCheck {
  if (!findFile(svc, "monitoring")) {
    return { ok: false, message: "monitoring.yaml is missing", detail: ["add monitoring.yaml with `team: YOUR_TEAM`"] };
  }
  const team = resolveMonitoring(fileValue(svc, "monitoring"), fileValue(svc, "service")).team;
  return team
    ? { ok: true, message: `Alerts go to team ${team}` }
    : {
        ok: false,
        message: "monitoring.yaml sets no team: no alert would reach anyone",
        detail: ["add `team: YOUR_TEAM`"],
      };
}

function smartstackCheck(svc: ServiceDir): ContractCheck {
  const ports = Object.entries(fileValue(svc, "smartstack"))
    .filter(([ns]) => !ns.startsWith("_"))
    .map(([ns, v]) => `${svc.name}.${ns}: ${String((v as { proxy_port?: unknown })?.proxy_port ?? "no proxy_port")}`);
  if (!findFile(svc, "smartstack"))
    return { ok: true, message: "No smartstack.yaml: the service is not in the proxy mesh" };
  return { ok: true, message: `Proxy namespaces: ${ports.join(", ") || "none"}` };
}

async function gitCheck(svc: ServiceDir): Promise<ContractCheck> {
  const gitUrl = fileValue(svc, "service").git_url;
  if (gitUrl === null) return { ok: true, message: "git_url is null: the service has no deployments" };
  if (typeof gitUrl !== "string")
    return {
      ok: false,
      message: "service.yaml has no git_url",
      detail: ["set git_url to the service's repository (any git URL or path)"],
    };
  const url = resolveGitUrl(gitUrl, svc.dir);
  try {
    await exec("git", ["ls-remote", "--heads", url], {
      timeout: 60_000,
      env: { ...process.env, GIT_TERMINAL_PROMPT: "0" },
    });
    return { ok: true, message: `Git repo ${gitUrl} is reachable` };
  } catch (e) {
    const stderr = String((e as { stderr?: string }).stderr ?? "")
      .trim()
      .split("\n")[0];
    return {
      ok: false,
      message: `Git repo ${gitUrl} is not reachable: ${stderr}`,
      detail: ["check git_url in service.yaml and your access to it"],
    };
  }
}
