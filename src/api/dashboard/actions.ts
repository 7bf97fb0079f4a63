/**
 * The page's actions: restart a task, stop or start an instance. Each forwards to the API's own write route
 * in-process with the request's `Authorization` header, so the token check, the backend power and the error
 * are exactly the API's; the answer is a small HTML message (with the API's status code) for the page's
 * `#flash`. Pages send the header from the token entered once per browser tab; a request without it is
 * refused like any API write.
 */
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

/** Stop or start an instance: the API's state route (the control tag `paasta stop/start` writes). */
export function changeState(
  api: InProcessApi,
  t: { service: string; instance: string; state: "start" | "stop" },
  authorization: string | undefined,
): Promise<ActionResult> {
  return forward(api, apiPath("v1", "services", t.service, t.instance, "state", t.state), authorization);
}
