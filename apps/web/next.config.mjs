// @ts-check
// JavaScript, not TypeScript: the web process reads this file at every start, and Next loads its SWC compiler
// (≈ 23 MB resident, for the life of the process) only to read a next.config.ts.
/** @type {import("next").NextConfig} */
const config = {
  // Internal packages export their TypeScript source; Next compiles them with the app.
  transpilePackages: [
    "@tributary/api",
    "@tributary/core",
    "@tributary/db",
    "@tributary/engine",
    "@tributary/connectors",
    "@tributary/queue",
    "@tributary/sandbox",
    "@tributary/ingress",
    "@tributary/runner",
  ],
  // Native and Node-only packages stay outside the bundle.
  serverExternalPackages: [
    "@node-rs/argon2",
    "@prisma/client",
    "@prisma/adapter-pg",
    "pg",
    "ioredis",
    "nodemailer",
    "bullmq",
    "esbuild",
    // The type-checker of code steps (packages/sandbox): a large CommonJS compiler that reads its lib files from disk.
    "typescript",
    "isolated-vm",
    "undici",
    "jsonata",
    // XML and SOAP: libxml2-wasm loads its WebAssembly beside itself, the others are large CommonJS bundles.
    "libxml2-wasm",
    "fontoxpath",
    "slimdom",
    "xslt-processor",
    "soap",
    "sax",
  ],
  poweredByHeader: false,
  reactStrictMode: true,
  typescript: { tsconfigPath: "tsconfig.json" },
};

export default config;
