#!/usr/bin/env node
// `npm start`: validates and lists the demo soa-configs tree (examples/). The embedded runtime (`paasta up`)
// takes over this script when it lands.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const bin = `${root}bin/paasta.js`;
const env = { ...process.env, PAASTA_SYSTEM_CONFIG_DIR: `${root}examples/etc_paasta` };

function paasta(...args) {
  console.log(`\n$ paasta ${args.join(" ")}`);
  const r = spawnSync(process.execPath, [bin, ...args], { stdio: "inherit", env, cwd: root });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

paasta("validate", "--all", "-y", "examples/soa-configs");
paasta("list", "-i", "-d", "examples/soa-configs");
paasta("info", "-s", "hello", "-d", "examples/soa-configs");
console.log("\nTry: npx paasta validate -v (inside examples/soa-configs/reports) to see the next Tron runs.");
