// Lint rules of distsys (one linter; Prettier formats). The simulator owns time and randomness:
// src/ may not read real clocks, real timers or unseeded randomness (src/viz is the exception).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

const realTimeAndRandomness = "the simulator's seeded context owns time and randomness";

export default tseslint.config(
  {
    ignores: [
      "node_modules/",
      "dist/",
      "build/",
      ".docusaurus/",
      ".jupyter/",
      "notebooks/",
      "test-artifacts/",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        console: "readonly",
        process: "readonly",
        structuredClone: "readonly",
        performance: "readonly",
        require: "readonly",
        module: "writable",
        __dirname: "readonly",
      },
    },
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      eqeqeq: ["error", "always"],
    },
  },
  {
    files: ["**/*.cjs"],
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    files: ["src/**/*.ts"],
    // src/viz draws in real time; the checker's deadline is the one wall-clock budget of an
    // analysis (a timeout yields "unknown", never a different verdict), kept to one file.
    ignores: ["src/viz/**", "src/consistency/linearizability/deadline.ts"],
    rules: {
      "no-restricted-properties": [
        "error",
        {
          object: "Math",
          property: "random",
          message: `Use ctx.random(): ${realTimeAndRandomness}.`,
        },
        { object: "Date", property: "now", message: `Use ctx.now(): ${realTimeAndRandomness}.` },
        {
          object: "performance",
          property: "now",
          message: `Use ctx.now(): ${realTimeAndRandomness}.`,
        },
        {
          object: "crypto",
          property: "getRandomValues",
          message: `Use ctx.random(): ${realTimeAndRandomness}.`,
        },
      ],
      "no-restricted-globals": [
        "error",
        { name: "setTimeout", message: `Use ctx.setTimer(): ${realTimeAndRandomness}.` },
        { name: "setInterval", message: `Use ctx.setTimer(): ${realTimeAndRandomness}.` },
        { name: "setImmediate", message: `Use ctx.setTimer(): ${realTimeAndRandomness}.` },
        { name: "performance", message: `Use ctx.now(): ${realTimeAndRandomness}.` },
      ],
      "no-restricted-syntax": [
        "error",
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: `new Date() reads the real clock; use ctx.now(): ${realTimeAndRandomness}.`,
        },
      ],
    },
  },
);
