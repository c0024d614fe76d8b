// The dependency policy: the lowest version of each network-facing (or untrusted-input-facing) library we
// accept, at or above the release that fixed its last known advisory. dependency-policy.test.ts checks every
// installed copy against it, so an older version (a downgrade, a lockfile resolved elsewhere, a transitive copy)
// fails `npm test` with what to do. The registry's audit endpoint is not always reachable; this table is.
//
// Keep a row's minimum at or below what is installed and at or above its newest known fix. When an advisory
// comes out: upgrade, then raise the row to the fixed version and name the advisory in `why`.

export type MinimumVersion = { name: string; minimum: string; why: string };

export const MINIMUM_VERSIONS: readonly MinimumVersion[] = [
  // The web process: every request from the internet reaches these.
  {
    name: "next",
    minimum: "16.0.10",
    why: "middleware bypass (CVE-2025-29927); RSC remote code execution (CVE-2025-66478) and its follow-ups",
  },
  {
    name: "react",
    minimum: "19.2.3",
    why: "React Server Components: RCE (CVE-2025-55182), DoS and source exposure (CVE-2025-55184, CVE-2025-55183)",
  },
  { name: "react-dom", minimum: "19.2.3", why: "kept in step with react" },
  {
    name: "next-auth",
    minimum: "4.24.12",
    why: "session fixation (CVE-2023-48309); email sign-in misdelivery (GHSA-5jpx-9hw9-2fx4)",
  },
  { name: "@trpc/server", minimum: "11.1.1", why: "WebSocket connectionParams crash (CVE-2025-43855)" },
  { name: "jose", minimum: "4.15.5", why: "JWE decompression DoS (CVE-2024-28176)" },
  { name: "cookie", minimum: "0.7.0", why: "out-of-bounds characters in cookie names (CVE-2024-47764)" },
  { name: "zod", minimum: "3.22.3", why: "email validation ReDoS (CVE-2023-4316)" },
  // Outbound calls and the sandbox: what flows reach and run.
  {
    name: "undici",
    minimum: "7.5.0",
    why: "predictable multipart boundary (CVE-2025-22150); bad certificate DoS (CVE-2025-47279)",
  },
  { name: "axios", minimum: "1.12.0", why: "SSRF via absolute URLs (CVE-2025-27152); data: URI DoS (CVE-2025-58754)" },
  { name: "isolated-vm", minimum: "4.4.2", why: "sandbox escape through cachedData (CVE-2022-39266)" },
  { name: "esbuild", minimum: "0.25.0", why: "development server answers any origin (GHSA-67mh-4wv8-2f99)" },
  { name: "jsonata", minimum: "2.0.4", why: "prototype pollution through $merge (CVE-2024-27307)" },
  // Databases, brokers, mail and files that flows connect to.
  {
    name: "pg",
    minimum: "8.0.0",
    why: "remote code execution through column names (CVE-2017-16082), fixed long before 8",
  },
  {
    name: "mysql2",
    minimum: "3.9.8",
    why: "remote code execution (CVE-2024-21508); prototype pollution (CVE-2024-21512)",
  },
  { name: "ioredis", minimum: "6.0.0", why: "no known advisory: the major we test against" },
  { name: "bullmq", minimum: "6.0.0", why: "no known advisory: the major we test against" },
  { name: "msgpackr", minimum: "1.10.1", why: "prototype pollution in BullMQ's job data decoding (CVE-2023-52079)" },
  {
    name: "nodemailer",
    minimum: "7.0.7",
    why: "command injection (CVE-2020-7769); mail to an unintended domain (GHSA-mm7p-fcc7-pg87)",
  },
  { name: "ws", minimum: "8.17.1", why: "DoS with many headers (CVE-2024-37890)" },
  { name: "ssh2", minimum: "1.4.0", why: "command injection (CVE-2020-26301)" },
  // Formats parsed from what webhooks and steps receive.
  {
    name: "fast-xml-parser",
    minimum: "4.4.1",
    why: "prototype pollution (CVE-2023-26920); ReDoS (CVE-2023-34104, CVE-2024-41818)",
  },
  { name: "@xmldom/xmldom", minimum: "0.8.4", why: "documents with several roots accepted (CVE-2022-39353)" },
  { name: "yaml", minimum: "2.2.2", why: "uncaught exception on crafted input (CVE-2023-2251)" },
];
