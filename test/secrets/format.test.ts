/** The secret file format and references: pure functions, tested by value. */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  parseSecretFile,
  renderSecretFile,
  shortSignature,
  signatureOf,
  withCiphertext,
} from "../../src/secrets/format.js";
import { formatSecretRef, parseSecretRef, referencedSecrets, SECRET_NAME } from "../../src/secrets/refs.js";

describe("secret references", () => {
  it("parses exactly SECRET(name) and SHARED_SECRET(name)", () => {
    expect(parseSecretRef("SECRET(db_password)")).toEqual({ name: "db_password", shared: false });
    expect(parseSecretRef("SHARED_SECRET(api-token)")).toEqual({ name: "api-token", shared: true });
    expect(parseSecretRef("SECRET(x) please")).toBeUndefined();
    expect(parseSecretRef("plain")).toBeUndefined();
    expect(formatSecretRef({ name: "a", shared: true })).toBe("SHARED_SECRET(a)");
  });

  it("lists every referenced secret once: env values and secret volumes (always the service's own)", () => {
    const refs = referencedSecrets({ B: "SECRET(b)", A: "SHARED_SECRET(a)", C: "SECRET(b)", D: "no" }, [
      { container_path: "/s", secret_name: "c" },
      { container_path: "/t", secret_name: "b" },
    ]);
    expect(refs.map(formatSecretRef)).toEqual(["SECRET(b)", "SECRET(c)", "SHARED_SECRET(a)"]);
  });

  it("accepts PaaSTA's secret names only", () => {
    for (const ok of ["db", "DB_password-2", "9lives"]) expect(SECRET_NAME.test(ok)).toBe(true);
    for (const bad of ["", "_x", "-x", "a.b", "a/b", "../x"]) expect(SECRET_NAME.test(bad)).toBe(false);
  });
});

describe("secret files", () => {
  it("the signature is the SHA-256 of the ciphertext text; users see 12 characters", () => {
    const sig = signatureOf("CT");
    expect(sig).toBe(createHash("sha256").update("CT").digest("hex"));
    expect(shortSignature(sig)).toBe(sig.slice(0, 12));
    expect(signatureOf("CT2")).not.toBe(sig);
  });

  it("replacing one environment keeps the others and unknown keys, and sorts environments", () => {
    const before = { environments: { prod: { ciphertext: "P", signature: "s" } }, extra_namespaces: ["x"] };
    const after = withCiphertext(before, "dev", "D");
    expect(after).toEqual({
      environments: {
        prod: { ciphertext: "P", signature: "s" },
        dev: { ciphertext: "D", signature: signatureOf("D") },
      },
      extra_namespaces: ["x"],
    });
    const text = renderSecretFile(after);
    expect(text.indexOf('"dev"')).toBeLessThan(text.indexOf('"prod"'));
    expect(text.endsWith("}\n")).toBe(true);
    expect(parseSecretFile(text)).toEqual(after);
  });

  it("says what is wrong with a file that is not a secrets file", () => {
    expect(parseSecretFile("{")).toMatch(/^invalid JSON: /);
    expect(parseSecretFile("[]")).toMatch(/^the file: /);
    expect(parseSecretFile('{"environments": {"dev": {"signature": "s"}}}')).toMatch(
      /^environments\.dev\.ciphertext: /,
    );
    expect(parseSecretFile('{"environments": {}}')).toEqual({ environments: {} });
  });
});
