/**
 * The page's actions: restart a task, stop or start an instance. Each forwards to the API's own write route
 * in-process with the request's `Authorization` header, so the token check, the backend power and the error
 * are exactly the API's; the answer is a small HTML message (with the API's status code) for the page's
 * `#flash`. Pages send the header from the token entered once per browser tab; a request without it is
 * refused like any API write.
 */
import { setDesiredState } from "../../deploy/record.js";
import { isPaastaError, PaastaError } from "../../errors.js";
import { createLogWriter } from "../../logs/writer.js";
import type { ApiContext } from "../context.js";
import { instancesOf, requireToken } from "../helpers.js";
import { type Html, html } from "./html.js";
import { apiPath, type InProcessApi } from "./reads.js";

export interface ActionResult {
  readonly status: number;
  readonly body: Html;
}

/** The flash message of an API answer (`{message}` or a catalogue error `{code, message, fix}`). Pure. */
export function flash(status: number, body: { message?: unknown; fix?: unknown; code?: unknown }): Html {
  const message = typeof body.message === "string" ? body.message : `HTTP ${status}`;
  if (status < 400) return html`<p class="flash ok">${message}</p>`;
  return html`<p class="flash bad"><strong>Refused</strong> (${status}${typeof body.code === "string" ? ` ${body.code}` : ""}): ${message}${typeof body.fix === "string" ? html`<br><span class="small">${body.fix}</span>` : ""}</p>`;
}

async function forward(api: InProcessApi, path: string, authorization: string | undefined): Promise<ActionResult> {
  const res = await api(path, { method: "POST", headers: authorization ? { authorization } : {} });
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  return { status: res.status, body: flash(res.status, body) };
}

export function restartTask(
  api: InProcessApi,
  t: { service: string; instance: string; replica: string },
  authorization: string | undefined,
): Promise<ActionResult> {
  return forward(
    api,
    `${apiPath("v1", "services", t.service, t.instance, "replicas", t.replica)}/restart`,
    authorization,
  );
}

/** The API's start/stop route. */
export const STATE_ROUTE = "/v1/services/:service/:instance/state/:desired_state";

/**
 * Stop or start an instance: the API's state route where this API has it; else the same control tag through
 * the deploy record here, behind the same token check.
 */
export async function changeState(
  ctx: ApiContext,
  api: InProcessApi,
  hasStateRoute: boolean,
  t: { service: string; instance: string; state: "start" | "stop" },
  authorization: string | undefined,
): Promise<ActionResult> {
  if (hasStateRoute)
    return forward(api, `${apiPath("v1", "services", t.service, t.instance, "state", t.state)}`, authorization);
  try {
    requireToken(ctx, authorization);
    if (!instancesOf(ctx, t.service).includes(t.instance))
      throw new PaastaError("PAASTA_INSTANCE_NOT_FOUND", {
        service: t.service,
        instance: t.instance,
        cluster: ctx.cluster,
      });
    const r = await setDesiredState(
      { soaDir: ctx.soaDir, system: ctx.system, log: createLogWriter(ctx.system?.logWriter()), user: "dashboard" },
      { service: t.service, state: t.state, clusters: [ctx.cluster], instances: [t.instance] },
    );
    const changed = r.changed[0];
    if (!changed)
      throw new PaastaError("PAASTA_NOT_DEPLOYED", {
        what: `${t.service}.${t.instance} on ${ctx.cluster}`,
        group: r.notDeployed[0]?.deployGroup ?? "its deploy group",
      });
    const message = `${t.state} requested for ${t.service}.${t.instance} on ${ctx.cluster} (tag ${changed.tag})`;
    return { status: 202, body: flash(202, { message }) };
  } catch (e) {
    if (!isPaastaError(e)) throw e;
    return { status: e.httpStatus, body: flash(e.httpStatus, e.toJSON()) };
  }
}
