import { z } from "zod";

/**
 * Runs in the browser before any page code. Zod compiles fast object parsers with
 * `new Function`, and even its probe for that is reported as a Content-Security-Policy
 * violation, since production pages allow no 'unsafe-eval'; the browser parses with Zod's
 * interpreter instead (the server, under no CSP, keeps the compiled parsers).
 */
z.config({ jitless: true });
