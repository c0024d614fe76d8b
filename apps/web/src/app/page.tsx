import Link from "next/link";
import { TryDemoButton } from "~/components/demo/try-demo-button.tsx";
import { Logo } from "~/components/logo.tsx";
import { getAuth } from "~/server/auth.ts";

export const dynamic = "force-dynamic";

const FEATURES = [
  ["Draw flows", "Triggers, connectors, branches, loops and TypeScript code steps on one canvas, validated as you go."],
  [
    "Get webhook URLs and schedules",
    "Each trigger gets its URL, guarded by basic auth, API keys, HMAC signatures or IP rules.",
  ],
  ["Watch every message", "A searchable transaction log of every run and step, with inputs, outputs, logs and errors."],
  [
    "Work as a team",
    "Workspaces with owners, admins, editors, operators and viewers, and an audit log of who did what.",
  ],
] as const;

export default async function LandingPage() {
  const auth = await getAuth();
  return (
    <div className="mx-auto flex min-h-screen max-w-5xl flex-col px-6">
      <header className="flex items-center justify-between py-6">
        <Logo />
        <nav className="flex items-center gap-3 text-sm">
          {auth ? (
            <Link
              href="/workspaces"
              className="rounded-md bg-brand-600 px-3.5 py-2 font-medium text-white hover:bg-brand-700"
            >
              Open your workspace
            </Link>
          ) : (
            <>
              <Link href="/login" className="rounded-md px-3.5 py-2 font-medium text-slate-700 hover:bg-slate-100">
                Sign in
              </Link>
              <Link
                href="/signup"
                className="rounded-md bg-brand-600 px-3.5 py-2 font-medium text-white hover:bg-brand-700"
              >
                Sign up
              </Link>
            </>
          )}
        </nav>
      </header>
      <main className="flex flex-1 flex-col justify-center py-12">
        <h1 className="max-w-3xl text-4xl font-semibold tracking-tight sm:text-5xl">
          Connect your systems with flows you can see.
        </h1>
        <p className="mt-5 max-w-2xl text-lg text-slate-600">
          Tributary is an open-source integration and workflow platform. Draw a flow, get a webhook URL or a schedule,
          and follow every message through it — in production, with your team.
        </p>
        <div className="mt-8 flex gap-3">
          <Link
            href="/signup"
            className="rounded-md bg-brand-600 px-5 py-2.5 font-medium text-white hover:bg-brand-700"
          >
            Sign up free
          </Link>
          <Link
            href="/login"
            className="rounded-md bg-white px-5 py-2.5 font-medium text-slate-800 ring-1 ring-slate-300 hover:bg-slate-50"
          >
            Sign in
          </Link>
          {auth ? null : <TryDemoButton />}
        </div>
        <ul className="mt-14 grid gap-6 sm:grid-cols-2">
          {FEATURES.map(([title, text]) => (
            <li key={title} className="rounded-lg border border-slate-200 bg-white p-5">
              <h2 className="font-medium">{title}</h2>
              <p className="mt-1 text-sm text-slate-600">{text}</p>
            </li>
          ))}
        </ul>
      </main>
      <footer className="py-6 text-xs text-slate-500">
        Tributary · open source under the Apache-2.0 license ·{" "}
        <Link href="/docs/api" className="hover:underline">
          REST API
        </Link>
      </footer>
    </div>
  );
}
