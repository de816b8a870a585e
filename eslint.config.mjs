import js from "@eslint/js";
import reactHooks from "eslint-plugin-react-hooks";
import tseslint from "typescript-eslint";

const restrict = (patterns) => ({ "no-restricted-imports": ["error", { patterns }] });

export default tseslint.config(
  { ignores: [".next/**", "node_modules/**", "src/generated/**", ".data/**", "test-results/**", "playwright-report/**", "next-env.d.ts"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { "react-hooks": reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
    },
  },
  // The house boundaries (DESIGN.md): node modules are pure, the browser never reaches the server.
  {
    files: ["src/nodes/**"],
    // Tests of node modules run them against a real database; only shipped code must stay pure.
    ignores: ["**/*.test.ts"],
    rules: restrict([
      { group: ["@/app/*", "@/editor/*", "@/server/*", "@/components/*"], message: "src/nodes is imported by the browser and the worker: keep it pure." },
      { group: ["react", "react-dom", "pg", "pg-copy-streams", "node:*"], message: "src/nodes must stay free of React, database drivers and Node built-ins." },
    ]),
  },
  {
    files: ["src/editor/**"],
    rules: restrict([{ group: ["@/server/*", "@/app/*"], message: "The editor runs in the browser: talk to the server through tRPC." }]),
  },
  {
    files: ["src/server/**"],
    rules: restrict([{ group: ["@/app/*", "@/editor/*", "@/components/*"], message: "src/server never imports the UI." }]),
  },
);
