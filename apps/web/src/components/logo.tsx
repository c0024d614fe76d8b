import Link from "next/link";

export function Logo({ href = "/" }: { href?: string }) {
  return (
    <Link href={href} className="flex items-center gap-2 font-semibold tracking-tight text-slate-900">
      <svg viewBox="0 0 24 24" className="size-6 text-brand-600" aria-hidden>
        <path
          d="M3 6c4 0 5 3 9 3s5-3 9-3M3 12c4 0 5 3 9 3s5-3 9-3M3 18c4 0 5 3 9 3s5-3 9-3"
          fill="none"
          stroke="currentColor"
          strokeWidth="2"
          strokeLinecap="round"
        />
      </svg>
      Tributary
    </Link>
  );
}
