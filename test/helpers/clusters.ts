/**
 * Two local clusters for end-to-end tests: one system config listing `dev` and `prod`, each cluster with its
 * own state dir and API port, and a `paasta up --cluster X` child process per cluster.
 */
import { execFileSync } from "node:child_process";
import { freePort, makeWorkspace, startUp, type UpProcess, type Workspace, type WorkspaceOptions } from "./runtime.js";

export interface TwoClusters {
  readonly ws: Workspace;
  readonly api: { readonly dev: string; readonly prod: string };
  readonly up: { dev?: UpProcess; prod?: UpProcess };
  start(): Promise<void>;
  stop(): Promise<void>;
  /** `refs/tags/NAME → sha` of a service's repository (the deploy record). */
  tags(service: string): Map<string, string>;
}

export async function twoClusters(
  services: Record<string, Record<string, string>>,
  opts: WorkspaceOptions = {},
): Promise<TwoClusters> {
  const dev = `http://127.0.0.1:${await freePort()}`;
  const prod = `http://127.0.0.1:${await freePort()}`;
  const ws = await makeWorkspace(services, {
    ...opts,
    system: {
      clusters: ["dev", "prod"],
      api_endpoints: { dev, prod },
      cluster_backends: {
        dev: { type: "local", executor: "process", state_dir: "../state-dev" },
        prod: { type: "local", executor: "process", state_dir: "../state-prod" },
      },
      ...opts.system,
    },
  });
  const up: TwoClusters["up"] = {};
  return {
    ws,
    api: { dev, prod },
    up,
    async start() {
      up.dev = startUp(ws, [], "dev");
      up.prod = startUp(ws, [], "prod");
      await Promise.all([up.dev.waitForOutput(/API: +http/), up.prod.waitForOutput(/API: +http/)]);
    },
    async stop() {
      await Promise.all([up.dev?.kill("SIGTERM"), up.prod?.kill("SIGTERM")]);
    },
    tags(service) {
      const out = execFileSync("git", ["for-each-ref", "--format=%(refname) %(objectname)", "refs/tags"], {
        cwd: `${ws.root}/repos/${service}`,
        encoding: "utf8",
      });
      return new Map(
        out
          .split("\n")
          .filter(Boolean)
          .map((l) => l.split(" ") as [string, string]),
      );
    },
  };
}
