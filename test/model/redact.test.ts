/** Redaction of credential-looking values in what status shows (pure). */
import { describe, expect, it } from "vitest";
import { REDACTED, redactEnv, redactText } from "../../src/model/redact.js";

describe("redactText", () => {
  it.each([
    [
      "curl -fsS http://admin:hunter22@127.0.0.1:8080/status",
      `curl -fsS http://admin:${REDACTED}@127.0.0.1:8080/status`,
    ],
    ["curl -u admin:hunter22 http://x/", `curl -u admin:${REDACTED} http://x/`],
    ["curl --user=admin:hunter22 http://x/", `curl --user=admin:${REDACTED} http://x/`],
    ["check --password hunter22 --port 1", `check --password ${REDACTED} --port 1`],
    ["check --api-key=abc123", `check --api-key=${REDACTED}`],
    ["DB_PASSWORD=hunter22 ./check", `DB_PASSWORD=${REDACTED} ./check`],
    ["curl http://x/status?token=abc123&v=1", `curl http://x/status?token=${REDACTED}&v=1`],
    ["curl -H 'Authorization: Bearer abc.def' http://x/", `curl -H 'Authorization: Bearer ${REDACTED}' http://x/`],
    ["node server.js --port 8080", "node server.js --port 8080"],
    ["HTTP 500 from /status", "HTTP 500 from /status"],
  ])("%s", (text, expected) => {
    expect(redactText(text)).toBe(expected);
  });

  it("redacts the literal value of a credential-looking env variable anywhere, not other values", () => {
    const env = { API_TOKEN: "s3cr3t-value", GREETING: "hello", DB_PASS: "SECRET(db)" };
    expect(redactText("probe s3cr3t-value says hello to SECRET(db)", env)).toBe(
      `probe ${REDACTED} says hello to SECRET(db)`,
    );
  });
});

describe("redactEnv", () => {
  it("keeps ordinary values and secret references, redacts credential-looking ones", () => {
    expect(redactEnv({ GREETING: "hi", DB_PASSWORD: "x", API_KEY: "SECRET(api)", AWS_SECRET_ACCESS_KEY: "y" })).toEqual(
      { GREETING: "hi", DB_PASSWORD: REDACTED, API_KEY: "SECRET(api)", AWS_SECRET_ACCESS_KEY: REDACTED },
    );
  });
});
