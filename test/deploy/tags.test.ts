import { describe, expect, it } from "vitest";
import { computeDeployments } from "../../src/deploy/deployments.js";
import {
  controlStates,
  controlTagName,
  deployHistory,
  deployTagName,
  formatTimestamp,
  latestDeploys,
  nextTimestamp,
  parseRefs,
} from "../../src/deploy/tags.js";

const A = "a".repeat(40);
const B = "b".repeat(40);
const C = "c".repeat(40);

describe("tag formats", () => {
  it("formats PaaSTA's tag names with UTC timestamps", () => {
    const ts = formatTimestamp(new Date(Date.UTC(2024, 0, 31, 23, 59, 59)));
    expect(ts).toBe("20240131T235959");
    expect(deployTagName("prod.everything", ts)).toBe("paasta-prod.everything-20240131T235959-deploy");
    expect(deployTagName("prod", ts, "20240101T000000")).toBe("paasta-prod+20240101T000000-20240131T235959-deploy");
    expect(controlTagName("norcal", "main", ts, "stop")).toBe("paasta-norcal.main-20240131T235959-stop");
  });

  it("a new timestamp is one second after the latest when that is not earlier than now", () => {
    const now = new Date(Date.UTC(2024, 0, 31, 23, 59, 59));
    expect(nextTimestamp(now, undefined)).toBe("20240131T235959");
    expect(nextTimestamp(now, "20240131T235958")).toBe("20240131T235959");
    expect(nextTimestamp(now, "20240131T235959")).toBe("20240201T000000");
    expect(nextTimestamp(now, "20240201T000005")).toBe("20240201T000006");
  });

  it("deploy groups are matched literally: a dot is not a wildcard", () => {
    const parsed = parseRefs(
      new Map([
        ["refs/tags/paasta-prod.main-20240101T000000-deploy", A],
        ["refs/tags/paasta-prodXmain-20240102T000000-deploy", B],
      ]),
    );
    expect(latestDeploys(parsed).get("prod.main")?.sha).toBe(A);
    expect(deployHistory(parsed, "prod.main").map((t) => t.sha)).toEqual([A]);
  });

  it("parses image versions and orders history newest first", () => {
    const parsed = parseRefs(
      new Map([
        ["refs/tags/paasta-dg-20240101T000000-deploy", A],
        ["refs/tags/paasta-dg+v2-20240103T000000-deploy", B],
        ["refs/tags/paasta-dg-20240102T000000-deploy", C],
        ["refs/heads/main", C],
        ["refs/tags/v1.0", A],
      ]),
    );
    expect(deployHistory(parsed, "dg").map((t) => [t.sha, t.imageVersion, t.timestamp])).toEqual([
      [B, "v2", "20240103T000000"],
      [C, null, "20240102T000000"],
      [A, null, "20240101T000000"],
    ]);
  });

  it("the newest control tag on the deployed SHA wins; tags on other SHAs are ignored", () => {
    const parsed = parseRefs(
      new Map([
        ["refs/tags/paasta-c.main-20240101T000001-stop", A],
        ["refs/tags/paasta-c.main-20240101T000002-start", A],
        ["refs/tags/paasta-c.main-20240101T000003-stop", B],
      ]),
    );
    const states = controlStates(parsed);
    expect(states.get(`c.main\u0000${A}`)).toEqual({ state: "start", forceBounce: "20240101T000002" });
    expect(states.get(`c.main\u0000${B}`)).toEqual({ state: "stop", forceBounce: "20240101T000003" });
  });
});

describe("computeDeployments", () => {
  it("produces v1 and v2 exactly as PaaSTA", () => {
    const parsed = parseRefs(
      new Map([
        ["refs/tags/paasta-test-cluster.test_instance-20240101T000000-deploy", A],
        ["refs/tags/paasta-test-cluster.test_instance-20240101T000100-stop", A],
      ]),
    );
    const branches = new Map([
      ["test-cluster.test_instance", "test-cluster.test_instance"],
      ["test-cluster.test_instance_2", "test-cluster.test_instance"],
      ["test-cluster.undeployed", "other"],
    ]);
    expect(computeDeployments("svc", branches, parsed)).toEqual({
      v1: {
        "svc:paasta-test-cluster.test_instance": {
          docker_image: `services-svc:paasta-${A}`,
          desired_state: "stop",
          force_bounce: "20240101T000100",
        },
        "svc:paasta-test-cluster.test_instance_2": {
          docker_image: `services-svc:paasta-${A}`,
          desired_state: "start",
          force_bounce: null,
        },
      },
      v2: {
        deployments: {
          "test-cluster.test_instance": { docker_image: `services-svc:paasta-${A}`, git_sha: A, image_version: null },
        },
        controls: {
          "svc:test-cluster.test_instance": { desired_state: "stop", force_bounce: "20240101T000100" },
          "svc:test-cluster.test_instance_2": { desired_state: "start", force_bounce: null },
        },
      },
    });
  });
});
