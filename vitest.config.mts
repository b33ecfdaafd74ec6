// Test runner configuration: every test under test/, mirroring src/.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    reporters: ["default"],
    // The browser tests run their pages with it.concurrent; on a 2-core machine five pages at
    // once starved chapter 4's heaviest cell past the 10 s cell limit. Three at a time.
    maxConcurrency: 3,
  },
});
