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
    private readonly api: Omit<ApiContext, "cluster" | "backend" | "soaDir" | "system" | "metrics" | "version">,
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
    try {
      this.server = await listen(app, endpoint.hostname, Number(endpoint.port || 80));
    } catch (e) {
      throw new PaastaError("PAASTA_USAGE", {
        detail: `cannot listen on ${endpoint.host} (api_endpoints.${ctx.cluster}): ${(e as Error).message}`,
      });
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
