/**
 * The real container engine and registry for tests: `scripts/testenv-docker docker up` (idempotent, quick when
 * already up) gives DOCKER_HOST and PAASTA_TEST_REGISTRY. A fake service like PaaSTA's fake_simple_service:
 * a git repository with a Dockerfile (FROM paasta-base/node:20, built locally by the test env), a Makefile with
 * cook-image and itest, a server listening on PAASTA_PORT, and its soa-configs and system config.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO, tempDir } from "./cli.js";
import { git } from "./git.js";

export interface DockerTestEnv {
  readonly DOCKER_HOST: string;
  readonly PAASTA_TEST_REGISTRY: string;
}

let cached: DockerTestEnv | undefined;

export function dockerTestEnv(): DockerTestEnv {
  if (cached) return cached;
  const out = execFileSync(join(REPO, "scripts/testenv-docker"), ["docker", "up"], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    timeout: 180_000,
  });
  const vars = Object.fromEntries(
    out
      .split("\n")
      .filter((l) => /^[A-Z_]+=/.test(l))
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
  if (!vars.DOCKER_HOST || !vars.PAASTA_TEST_REGISTRY) throw new Error(`testenv-docker up printed no env:\n${out}`);
  cached = { DOCKER_HOST: vars.DOCKER_HOST, PAASTA_TEST_REGISTRY: vars.PAASTA_TEST_REGISTRY };
  return cached;
}

/** The engine's CLI (docker) against the test engine. */
export function dockerCli(args: string[]): string {
  return execFileSync("docker", args, {
    encoding: "utf8",
    env: { ...process.env, DOCKER_HOST: dockerTestEnv().DOCKER_HOST },
    stdio: ["ignore", "pipe", "pipe"],
  }).trim();
}

export const SERVER_JS = `// listens on PAASTA_PORT (container_port inside a container) on every interface
const http = require("http");
const port = Number(process.env.PAASTA_PORT || 8888);
const server = http.createServer((req, res) => {
  res.writeHead(200, { "content-type": "application/json" });
  res.end(JSON.stringify({ url: req.url, foo: process.env.FOO || null, sha: process.env.PAASTA_GIT_SHA || null }));
});
server.listen(port, "0.0.0.0", () => console.log("listening on " + port));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
`;

const DOCKERFILE = `FROM paasta-base/node:20
WORKDIR /app
COPY server.js ./
CMD ["node", "server.js"]
`;

const MAKEFILE = `DOCKER_TAG ?= fake_simple_service-dev

cook-image:
\tdocker build -t $(DOCKER_TAG) .

itest:
\tdocker run --rm $(DOCKER_TAG) node --check server.js

test:
\tnode --check server.js
`;

export interface FakeService {
  readonly root: string;
  readonly repo: string;
  readonly soa: string;
  readonly etc: string;
  readonly service: string;
  readonly sha: string;
  /** Environment for `paasta` with the system config, the engine and no colours. */
  readonly env: NodeJS.ProcessEnv;
  commit(files: Record<string, string>): string;
}

export interface FakeServiceOptions {
  readonly service?: string;
  /** Files of the service's soa-configs directory (service.yaml, monitoring.yaml, deploy.yaml have defaults). */
  readonly soa?: Record<string, string>;
  /** Files of the repository (Dockerfile, Makefile, server.js have defaults; null removes one). */
  readonly repo?: Record<string, string | null>;
  readonly registry?: string;
  readonly system?: Record<string, unknown>;
}

export function fakeService(o: FakeServiceOptions = {}): FakeService {
  const env = dockerTestEnv();
  const service = o.service ?? "fake_simple_service";
  const root = tempDir("paasta-image-");
  const repo = join(root, "repo", service);
  const soa = join(root, "soa-configs");
  const etc = join(root, "etc");
  mkdirSync(repo, { recursive: true });
  const repoFiles: Record<string, string | null> = {
    Dockerfile: DOCKERFILE,
    Makefile: MAKEFILE,
    "server.js": SERVER_JS,
    ...o.repo,
  };
  for (const [f, content] of Object.entries(repoFiles)) if (content !== null) writeFileSync(join(repo, f), content);
  git(["init", "-q", "-b", "main", repo]);
  git(["add", "-A"], repo);
  git(["commit", "-q", "-m", "first"], repo);
  mkdirSync(join(soa, service), { recursive: true });
  const soaFiles = {
    "service.yaml": `description: ${service}\nexternal_link: https://example.org\ngit_url: ../../repo/${service}\n`,
    "monitoring.yaml": "team: test\n",
    "deploy.yaml": "pipeline:\n  - step: test-cluster.main\n",
    ...o.soa,
  };
  for (const [f, content] of Object.entries(soaFiles)) writeFileSync(join(soa, service, f), content);
  mkdirSync(etc, { recursive: true });
  writeFileSync(
    join(etc, "paasta.json"),
    JSON.stringify({
      cluster: "test-cluster",
      clusters: ["test-cluster"],
      soa_dir: soa,
      docker_registry: o.registry ?? env.PAASTA_TEST_REGISTRY,
      log_writer: { driver: "null" },
      ...o.system,
    }),
  );
  return {
    root,
    repo,
    soa,
    etc,
    service,
    sha: git(["rev-parse", "HEAD"], repo),
    env: {
      PAASTA_SYSTEM_CONFIG_DIR: etc,
      DOCKER_HOST: env.DOCKER_HOST,
      PAASTA_CACHE_DIR: join(root, "cache"),
      USER: "tester",
    },
    commit(files) {
      for (const [f, content] of Object.entries(files)) writeFileSync(join(repo, f), content);
      git(["add", "-A"], repo);
      git(["commit", "-q", "-m", "change"], repo);
      return git(["rev-parse", "HEAD"], repo);
    },
  };
}
