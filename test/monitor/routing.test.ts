/**
 * `paasta generate-alertmanager-config`: the routing tree by value, the CLI's YAML accepted by the real
 * `amtool check-config`, bad team data as a catalogue error; and `paasta validate` warning without a team.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { alertmanagerConfig } from "../../src/runtime/monitor/routing.js";
import { paastaBin, tempDir } from "../helpers/cli.js";

const opts = { groupWait: "30s", groupInterval: "5m", repeatInterval: "4h" };

describe("generate-alertmanager-config", () => {
  it("one route per team: pages and tickets to their receivers (continue), every alert to the team's", () => {
    const { config, warnings } = alertmanagerConfig(
      {
        payments: {
          webhook_url: "http://chat.example/payments",
          pagerduty_api_key: "PDKEY",
          ticket_webhook_url: "http://tickets.example/new",
          notification_email: "payments@example.org",
        },
        infra: { webhook_url: "http://chat.example/infra" },
      },
      opts,
    );
    const route = config.route as { routes: unknown[]; receiver: string; group_by: string[] };
    expect(route.receiver).toBe("paasta-default");
    expect(route.group_by).toEqual(["alertname", "team"]);
    expect(route.routes).toEqual([
      { matchers: ['team="infra"'], receiver: "infra", routes: [{ receiver: "infra" }] },
      {
        matchers: ['team="payments"'],
        receiver: "payments",
        routes: [
          { matchers: ['page="true"'], receiver: "payments-page", continue: true },
          { matchers: ['ticket="true"'], receiver: "payments-ticket", continue: true },
          { receiver: "payments" },
        ],
      },
    ]);
    expect(config.receivers).toContainEqual({
      name: "payments-page",
      pagerduty_configs: [{ routing_key: "PDKEY", send_resolved: true }],
    });
    expect(warnings).toEqual(["payments: notification_email skipped (give --smtp-smarthost and --smtp-from)"]);
  });

  it("the CLI writes YAML that amtool check-config accepts; bad team data is PAASTA_TEAM_DATA_INVALID", () => {
    const dir = tempDir("paasta-amcfg-");
    writeFileSync(
      join(dir, "teams.json"),
      JSON.stringify({
        team_data: {
          a: { webhook_url: "http://127.0.0.1:1/a", page_webhook_url: "http://127.0.0.1:1/page" },
          b: { slack_channels: ["#b"], notification_email: "b@example.org" },
        },
      }),
    );
    const r = paastaBin([
      "generate-alertmanager-config",
      "--team-data",
      join(dir, "teams.json"),
      "-o",
      join(dir, "am.yml"),
      "--slack-api-url",
      "http://127.0.0.1:1/slack",
      "--smtp-smarthost",
      "127.0.0.1:25",
      "--smtp-from",
      "paasta@example.org",
    ]);
    expect(r.code, r.stderr).toBe(0);
    const check = spawnSync("amtool", ["check-config", join(dir, "am.yml")], { encoding: "utf8" });
    expect(check.status, check.stdout + check.stderr).toBe(0);
    expect(check.stdout).toContain(" - 4 receivers"); // default, a-page, a, b;
    writeFileSync(join(dir, "bad.json"), JSON.stringify({ team_data: { a: { webhook_url: "not a url" } } }));
    const bad = paastaBin(["generate-alertmanager-config", "--team-data", join(dir, "bad.json")]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("PAASTA_TEAM_DATA_INVALID");
    expect(bad.stderr).toContain("webhook_url");
  });

  it("paasta validate warns when an instance has no team (its alerts would be dropped)", () => {
    const soa = tempDir("paasta-teamless-");
    mkdirSync(join(soa, "svc"));
    writeFileSync(join(soa, "svc", "service.yaml"), "description: d\nexternal_link: x\n");
    writeFileSync(join(soa, "svc", "monitoring.yaml"), "page: false\n");
    writeFileSync(join(soa, "svc", "kubernetes-c1.yaml"), "main:\n  cmd: x\n");
    const r = paastaBin(["validate", "-s", "svc", "-y", soa]);
    expect(r.stdout + r.stderr).toContain("no monitoring team for main: their alerts are dropped");
  });
});
