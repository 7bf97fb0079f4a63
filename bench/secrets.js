#!/usr/bin/env node
// bench/secrets: what secret decryption adds to a task start (issue 15; target ≤ 50 ms).
// A task of a service with 4 SECRET() env values, 1 SHARED_SECRET() and 2 secret volumes (7 decryptions),
// age keys from age-keygen (Debian's age), values written by paasta's own writeSecret. In a fresh process:
//  - preload:  loading the age library, once per process (preloadProvider, meant for the runtime's start);
//  - first:    the process's first task start after that;
//  - rotated:  a task start right after every value changed (7 real decryptions; the encryption is untimed);
//  - repeated: another start of the same values (a restart or another replica: decrypted values are reused);
//  - signatures: secretSignatures, what the reconcile hashes on every pass.
// A task start = decryptTaskSecrets + writeSecretFiles. Uses the compiled dist/ (npm run build). Prints JSON.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const REPO = new URL("..", import.meta.url).pathname;
const RUNS = Number(process.env.BENCH_RUNS ?? 100);
const root = mkdtempSync(join(tmpdir(), "paasta-bench-secrets-"));
try {
  const soaDir = join(root, "soa");
  mkdirSync(join(soaDir, "web"), { recursive: true });
  writeFileSync(join(soaDir, "web/service.yaml"), "description: web\n");
  const key = join(root, "key.txt");
  execFileSync("age-keygen", ["-o", key], { stdio: "ignore" });
  const recipient = execFileSync("age-keygen", ["-y", key], { encoding: "utf8" }).trim();
  mkdirSync(join(root, "etc"));
  writeFileSync(
    join(root, "etc/secrets.json"),
    JSON.stringify({
      secrets: { provider: "age", environments: { dev: { recipients: [recipient], identity_file: key } } },
    }),
  );
  const dist = (p) => JSON.stringify(join(REPO, "dist", p));
  const { loadSystemConfig } = await import(join(REPO, "dist/config/system.js"));
  const { writeSecret } = await import(join(REPO, "dist/secrets/manage.js"));
  const system = loadSystemConfig(join(root, "etc"));
  for (const name of ["db_password", "api_key", "session_secret", "smtp_password", "tls_key", "tls_cert"])
    await writeSecret({ soaDir, system, service: "web", name, clusters: ["dev"], action: "add" }, Buffer.from(name));
  await writeSecret(
    { soaDir, system, service: undefined, name: "shared_token", clusters: ["dev"], action: "add" },
    Buffer.from("t"),
  );
  const child = `
    const { loadSystemConfig } = await import(${dist("config/system.js")});
    const { writeSecret } = await import(${dist("secrets/manage.js")});
    const { decryptTaskSecrets, preloadProvider, secretSignatures, writeSecretFiles } = await import(${dist("secrets/index.js")});
    const system = loadSystemConfig(${JSON.stringify(join(root, "etc"))});
    const soaDir = ${JSON.stringify(soaDir)};
    const names = ["db_password", "api_key", "session_secret", "smtp_password", "tls_key", "tls_cert"];
    const rotate = async (round) => {
      for (const name of names)
        await writeSecret({ soaDir, system, service: "web", name, clusters: ["dev"], action: "update" },
          Buffer.from("v-" + name + "-" + round));
      await writeSecret({ soaDir, system, service: undefined, name: "shared_token", clusters: ["dev"],
        action: "update" }, Buffer.from("v-shared-" + round));
    };
    const req = {
      soaDir, system, service: "web", cluster: "dev",
      env: { DB: "SECRET(db_password)", API: "SECRET(api_key)", SESSION: "SECRET(session_secret)",
             SMTP: "SECRET(smtp_password)", TOKEN: "SHARED_SECRET(shared_token)", PLAIN: "x" },
      secretVolumes: [{ container_path: "/etc/tls", secret_name: "tls_key" },
                      { container_path: "/etc/tls", secret_name: "tls_cert" }],
    };
    const start = async (i) => {
      const t = performance.now();
      const s = await decryptTaskSecrets(req);
      writeSecretFiles(${JSON.stringify(join(root, "tasks"))} + "/" + (i % 10), s.files);
      return { ms: performance.now() - t, n: Object.keys(s.env).length + s.files.length };
    };
    // round 0 was written by the parent process: nothing is loaded yet here
    const t0 = performance.now();
    await preloadProvider(system);
    const preload = performance.now() - t0;
    const cold = await start(0);
    const rotated = [], repeated = [], sig = [];
    for (let i = 1; i <= ${RUNS}; i++) {
      await rotate(i);
      rotated.push((await start(i)).ms);
      repeated.push((await start(i)).ms);
      const t = performance.now();
      secretSignatures(req);
      sig.push(performance.now() - t);
    }
    console.log(JSON.stringify({ preload, cold, rotated, repeated, sig }));
  `;
  const out = JSON.parse(
    execFileSync(process.execPath, ["--input-type=module", "-e", child], { encoding: "utf8", maxBuffer: 1 << 26 }),
  );
  const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))];
  const ms = (x) => Number(x.toFixed(2));
  const stats = (xs) => ({ p50: ms(pct(xs, 50)), p95: ms(pct(xs, 95)), max: ms(Math.max(...xs)) });
  console.log(
    JSON.stringify(
      {
        bench: "secrets",
        decryptions_per_task: out.cold.n,
        runs: RUNS,
        preload_ms: ms(out.preload),
        first_task_start_after_preload_ms: ms(out.cold.ms),
        rotated_task_start_ms: stats(out.rotated),
        repeated_task_start_ms: stats(out.repeated),
        signatures_ms: stats(out.sig),
        target_ms: 50,
        ok: pct(out.rotated, 50) <= 50,
      },
      null,
      2,
    ),
  );
} finally {
  rmSync(root, { recursive: true, force: true });
}
