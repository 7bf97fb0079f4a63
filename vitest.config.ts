import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    reporters: ["default", "./test/summary-reporter.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // The suite spawns real processes (git, the paasta CLI); two cores are shared by all test files.
    maxWorkers: 2,
  },
});
