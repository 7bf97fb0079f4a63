/** `paasta api --max-request-seconds` and `-D`: the middlewares by value, on a Hono app with a slow route. */
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { onError } from "../../src/api/edges.js";
import { requestDeadline, requestLog } from "../../src/api/request-limits.js";

describe("request limits", () => {
  it("a request slower than the deadline is the catalogue's 504; a fast one passes; each is logged", async () => {
    const lines: string[] = [];
    const app = new Hono();
    app.onError(onError);
    app.use(requestLog((l) => lines.push(l)));
    app.use(requestDeadline(0.1));
    app.get("/slow", async (c) => {
      await new Promise((r) => setTimeout(r, 400));
      return c.text("late");
    });
    app.get("/fast", (c) => c.text("ok"));
    const slow = await app.request("/slow");
    expect(slow.status).toBe(504);
    expect(await slow.json()).toMatchObject({ code: "PAASTA_API_TIMEOUT" });
    expect((await app.request("/fast")).status).toBe(200);
    expect(lines.map((l) => l.replace(/\d+ms$/, "Nms"))).toEqual(["GET /slow 504 Nms", "GET /fast 200 Nms"]);
  });
});
