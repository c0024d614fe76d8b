"use client";
import Link from "next/link";
import { signOut } from "next-auth/react";
import { useState } from "react";

export function UserMenu({ email }: { email: string }) {
  const [signingOut, setSigningOut] = useState(false);
  return (
    <div className="flex items-center gap-1 text-sm">
      <Link
        href="/account"
        className="hidden rounded-md px-2.5 py-1.5 text-slate-600 hover:bg-slate-100 sm:block"
        title="Account"
      >
        {email}
      </Link>
      <button
        type="button"
        disabled={signingOut}
        onClick={() => {
          setSigningOut(true);
          void signOut({ callbackUrl: "/login" });
        }}
        className="rounded-md px-2.5 py-1.5 text-slate-600 hover:bg-slate-100"
      >
        Sign out
      </button>
    </div>
  );
}
