import js from "@eslint/js";
import reactHooks from "eslint-plugin-react-hooks";
import tseslint from "typescript-eslint";

const restrict = (patterns) => ({ "no-restricted-imports": ["error", { patterns }] });

const SERVER_NEVER_IMPORTS_UI = { group: ["@/app/*", "@/editor/*", "@/components/*"], message: "src/server never imports the UI." };

/**
 * A layer of src/server that must not import the folders of src/server named in `forbidden`,
 * whether written `@/server/<folder>/…` or relatively (`../<folder>/…`). One rule object per
 * layer, since a later `no-restricted-imports` replaces an earlier one instead of adding to it.
 */
const layer = (files, forbidden, message) => [
  {
    files,
    ignores: ["**/*.test.ts", "**/testing/**"],
    rules: restrict([SERVER_NEVER_IMPORTS_UI, { regex: `^(?:@/server/|(?:\\.\\./)+)(?:${forbidden.join("|")})(?:/|$)`, message }]),
  },
];

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
    rules: restrict([SERVER_NEVER_IMPORTS_UI]),
  },
  // Inside src/server dependencies run one way (DESIGN.md): api/rest → services → engine → nodes,
  // with jobs as another entry point, and errors, db and queue below them all. Tests and test
  // harnesses may reach across (an engine test starts runs through the services).
  ...layer(["src/server/engine/**"], ["services", "api", "rest", "jobs"], "The engine is below the services and the entry points: move what both need below both (errors.ts, db/, queue/)."),
  ...layer(["src/server/services/**"], ["api", "rest", "jobs"], "Services are called by the API and the jobs, never the other way round."),
  ...layer(["src/server/jobs/**"], ["api", "rest"], "Jobs are an entry point of their own: share code through the services or the engine."),
  ...layer(
    ["src/server/errors.ts", "src/server/context.ts", "src/server/db/**", "src/server/queue/**"],
    ["engine", "services", "api", "rest", "jobs"],
    "errors.ts, context.ts, db/ and queue/ sit below the engine and the services: they import neither.",
  ),
);
