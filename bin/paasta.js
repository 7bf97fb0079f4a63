#!/usr/bin/env node
// The `paasta` command. The TypeScript sources are compiled to dist/ by `npm ci` (the `prepare` script).
import { existsSync } from "node:fs";

const entry = new URL("../dist/cli/main.js", import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write("paasta: dist/ is missing; run `npm ci` (or `npm run build`) in the paasta checkout first.\n");
  process.exit(3);
}
const { main } = await import(entry.href);
await main(process.argv);
