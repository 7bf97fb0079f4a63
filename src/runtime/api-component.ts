/** The cluster's HTTP API as a component: listens where api_endpoints[cluster] says. */
import { type ApiContext, buildApi } from "../api/app.js";
import { listen, type RunningServer } from "../api/server.js";
import { PaastaError } from "../errors.js";
import type { Component, ComponentHealth } from "./component.js";
import type { RuntimeContext } from "./context.js";

export class ApiComponent implements Component {
  readonly name = "api";
  private server: RunningServer | undefined;

  constructor(
    private readonly ctx: RuntimeContext,
    private readonly api: Omit<ApiContext, "cluster" | "backend" | "soaDir" | "system" | "metrics" | "version"> & {
      /** Listen on this port instead of api_endpoints' (`paasta api PORT`). */
      readonly port?: number;
    },
  ) {}

  get url(): string | undefined {
    return this.server?.url;
  }

  async start(): Promise<void> {
    const { ctx } = this;
    const endpoint = new URL(ctx.system.apiEndpoint(ctx.cluster));
    const app = buildApi({
      ...this.api,
      cluster: ctx.cluster,
      backend: ctx.backend,
      soaDir: ctx.soaDir,
      system: ctx.system,
      metrics: ctx.metrics,
      version: ctx.version,
    });
    const port = this.api.port ?? Number(endpoint.port || 80);
    try {
      this.server = await listen(app, endpoint.hostname, port);
    } catch (e) {
      throw await listenError(e as NodeJS.ErrnoException, ctx, endpoint.hostname, port);
    }
  }

  async stop(): Promise<void> {
    await this.server?.close();
    this.server = undefined;
  }

  health(): ComponentHealth {
    return this.server
      ? { ok: true, detail: `listening on ${this.server.url}` }
      : { ok: false, detail: "not listening" };
  }
}

/** Why the API cannot listen, in the catalogue's words: who holds the port and what to change. */
async function listenError(e: NodeJS.ErrnoException, ctx: RuntimeContext, host: string, port: number) {
  const { freePortOn, portHolder } = await import("./port-holder.js");
  if (e.code === "EADDRINUSE") {
    const holder = portHolder(port);
    const free = await freePortOn(host);
    return new PaastaError("PAASTA_API_PORT_IN_USE", {
      cluster: ctx.cluster,
      address: `${host}:${port}`,
      holder: holder ? ` by ${holder}` : "",
      configDir: ctx.system.dir,
      suggestion: `"http://${host}:${free ?? port + 1}"`,
    });
  }
  return new PaastaError("PAASTA_SYSTEM_CONFIG_INVALID", {
    key: `api_endpoints.${ctx.cluster}`,
    file: ctx.system.dir,
    detail: `cannot listen on ${host}:${port}: ${e.code ?? e.message}`,
  });
}
