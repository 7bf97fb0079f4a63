/**
 * `paasta remote-run start|stop|list` (PaaSTA's command): a one-off run of an instance (an adhoc one usually)
 * on a cluster — a task of the local runtime, a Job on Kubernetes — through the cluster's API. `start` prints
 * its output as it comes and ends with its exit code, unless --detach.
 */
import type { Command } from "commander";
import type { ApiClient } from "../../api/client.js";
import { PaastaError } from "../../errors.js";
import type { OneOffOutputWire, OneOffWire } from "../../model/jobs/wire.js";
import { examples, jsonOption, printJson, requireSystemConfig } from "../common.js";
import { type Io, marks } from "../io.js";
import type { Runner } from "../registry.js";

interface RemoteRunOptions {
  service: string;
  instance?: string;
  cluster?: string;
  cmd?: string;
  detach?: boolean;
  maxDuration?: string;
  id?: string;
  json?: boolean;
}

export function register(program: Command, io: Io, run: Runner): void {
  const rr = program
    .command("remote-run")
    .description("Run an instance once on a cluster (a one-off task or Job), e.g. an adhoc instance")
    .addHelpText(
      "after",
      examples(
        "paasta remote-run start -s hello -i shell -c dev --cmd 'echo hi'",
        "paasta remote-run list -s hello",
        "paasta remote-run stop -s hello -i shell",
      ),
    );
  const target = (c: Command) =>
    c
      .requiredOption("-s, --service <service>", "the service")
      .option("-c, --cluster <cluster>", "the cluster (default: the system config's cluster)");
  jsonOption(
    target(rr.command("start").description("Start a one-off run and print its output and exit code"))
      .requiredOption("-i, --instance <instance>", "the instance (adhoc, or any kubernetes/eks instance)")
      .option("-C, --cmd <cmd>", "the command to run instead of the instance's cmd")
      .option("-m, --max-duration <seconds>", "stop it after this many seconds (default 7200)")
      .option("--detach", "return once it started; `remote-run list` and `paasta logs` show it"),
  )
    .addHelpText(
      "after",
      examples(
        "paasta remote-run start -s hello -i shell -c dev --cmd 'echo hi'",
        "paasta remote-run start -s hello -i shell --detach",
      ),
    )
    .action((opts: RemoteRunOptions) => run(runStart(opts, io)));
  jsonOption(
    target(rr.command("stop").description("Stop a one-off run (by --id, else your latest running one of -i)"))
      .option("-i, --instance <instance>", "the instance")
      .option("--id <id>", "the run's id (from start or list)"),
  )
    .addHelpText("after", examples("paasta remote-run stop -s hello -i shell -c dev"))
    .action((opts: RemoteRunOptions) => run(runStop(opts, io)));
  jsonOption(target(rr.command("list").description("List one-off runs of a service, newest first")))
    .addHelpText("after", examples("paasta remote-run list -s hello -c dev"))
    .action((opts: RemoteRunOptions) => run(runList(opts, io)));
}

async function connect(opts: RemoteRunOptions, io: Io) {
  const system = await requireSystemConfig(io);
  const cluster = opts.cluster ?? system.cluster();
  const { apiClient } = await import("../../api/client.js");
  const { writeToken } = await import("../write-token.js");
  return { cluster, client: apiClient(system, cluster), token: writeToken(system, cluster, io.env) };
}

async function call<T>(p: Promise<{ status: number; body: T }>, cluster: string, ok: number): Promise<T> {
  const r = await p;
  if (r.status !== ok) {
    const b = r.body as { message?: string; fix?: string };
    throw new PaastaError("PAASTA_API_ERROR", {
      cluster,
      status: r.status,
      detail: `${b?.message ?? "error"}${b?.fix ? ` (${b.fix})` : ""}`,
    });
  }
  return r.body;
}

function user(io: Io): string {
  return io.env.SUDO_USER ?? io.env.USER ?? "unknown";
}

export async function runStart(opts: RemoteRunOptions, io: Io): Promise<number> {
  const { cluster, client, token } = await connect(opts, io);
  const q = new URLSearchParams({ user: user(io) });
  if (opts.cmd !== undefined) q.set("cmd", opts.cmd);
  if (opts.maxDuration !== undefined) q.set("max_duration", opts.maxDuration);
  const started = await call(
    client.post<OneOffWire>(`/v1/remote_run/${opts.service}/${opts.instance}/start?${q}`, token),
    cluster,
    202,
  );
  const m = marks(io);
  if (opts.detach) {
    if (opts.json) printJson(io, started);
    else io.out(m.ok(`started ${started.id} on ${cluster}${started.where ? ` (${started.where})` : ""}`));
    return 0;
  }
  if (!opts.json) io.out(m.dim(`started ${started.id} on ${cluster}${started.where ? ` (${started.where})` : ""}`));
  const end = await follow(client, cluster, started.id, (l) => {
    if (!opts.json) io.out(l);
  });
  if (opts.json) printJson(io, end);
  else {
    if (end.note) io.err(m.yellow(`output: ${end.note}`));
    const how = end.run.exit_code === null ? (end.run.reason ?? "no exit code") : `exit code ${end.run.exit_code}`;
    io.out((end.run.state === "succeeded" ? m.green : m.red)(`${end.run.id} ${end.run.state}: ${how}`));
  }
  if (end.run.state === "succeeded") return 0;
  return end.run.exit_code && end.run.exit_code > 0 && end.run.exit_code < 256 ? end.run.exit_code : 1;
}

/** Prints output lines as they come until the run ends; returns its last state. */
async function follow(
  client: ApiClient,
  cluster: string,
  id: string,
  print: (line: string) => void,
): Promise<OneOffOutputWire> {
  let offset = 0;
  for (;;) {
    const r = await call(client.get<OneOffOutputWire>(`/v1/remote_run/runs/${id}?offset=${offset}`), cluster, 200);
    for (const l of r.lines) print(l);
    offset = r.offset;
    if (r.run.state !== "running") {
      const rest = await call(client.get<OneOffOutputWire>(`/v1/remote_run/runs/${id}?offset=${offset}`), cluster, 200);
      for (const l of rest.lines) print(l);
      return rest;
    }
    await new Promise((res) => setTimeout(res, 300));
  }
}

export async function runStop(opts: RemoteRunOptions, io: Io): Promise<number> {
  const { cluster, client, token } = await connect(opts, io);
  let id = opts.id;
  if (!id) {
    const { runs } = await call(
      client.get<{ runs: OneOffWire[] }>(`/v1/remote_run?service=${opts.service}`),
      cluster,
      200,
    );
    id = runs.find(
      (r) => r.state === "running" && (!opts.instance || r.instance === opts.instance) && r.user === user(io),
    )?.id;
    if (!id)
      throw new PaastaError("PAASTA_REMOTE_RUN_NOT_FOUND", {
        id: `of yours for ${opts.service}.${opts.instance ?? "*"}`,
        cluster,
      });
  }
  const r = await call(client.post<OneOffWire>(`/v1/remote_run/runs/${id}/stop`, token), cluster, 200);
  if (opts.json) printJson(io, r);
  else io.out(marks(io).ok(`stopped ${r.id}: ${r.state}${r.reason ? ` (${r.reason})` : ""}`));
  return 0;
}

export async function runList(opts: RemoteRunOptions, io: Io): Promise<number> {
  const { cluster, client } = await connect(opts, io);
  const { runs } = await call(
    client.get<{ runs: OneOffWire[] }>(`/v1/remote_run?service=${opts.service}`),
    cluster,
    200,
  );
  if (opts.json) {
    printJson(io, runs);
    return 0;
  }
  if (runs.length === 0) io.out(`no one-off runs of ${opts.service} on ${cluster}`);
  for (const r of runs) {
    const exit = r.exit_code === null ? "" : ` exit ${r.exit_code}`;
    io.out(`${r.id}  ${r.state}${exit}  ${r.user}  ${r.started_at}  ${r.command}`);
  }
  return 0;
}
