import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/functions/**/*.test.ts", "tests/e2e/**/*.test.ts", "tests/fakes/**/*.test.ts"],
    globalSetup: ["tests/helpers/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
