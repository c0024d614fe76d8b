import Link from "next/link";

/** Shown in demo workspaces: what happens to the data, and how to keep it. */
export function DemoBanner() {
  return (
    <div role="status" className="border-b border-amber-200 bg-amber-50 text-sm text-amber-900">
      <div className="mx-auto flex max-w-6xl flex-wrap items-center justify-between gap-2 px-4 py-2">
        <span>
          This is a demo workspace on a small plan. It is deleted after 24 hours without activity, and its flows may
          call only the sample API.
        </span>
        <Link href="/keep" className="rounded-md bg-amber-700 px-3 py-1 font-medium text-white hover:bg-amber-800">
          Sign up to keep this workspace
        </Link>
      </div>
    </div>
  );
}
