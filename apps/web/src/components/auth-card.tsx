import type { ReactNode } from "react";
import { Logo } from "./logo.tsx";

/** The centred card of the sign-up, sign-in and invite pages. */
export function AuthCard({ title, children, footer }: { title: string; children: ReactNode; footer?: ReactNode }) {
  return (
    <div className="flex min-h-screen flex-col items-center justify-center px-4 py-12">
      <Logo />
      <div className="mt-8 w-full max-w-sm rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
        <h1 className="mb-5 text-lg font-semibold">{title}</h1>
        {children}
      </div>
      {footer ? <div className="mt-4 text-sm text-slate-600">{footer}</div> : null}
    </div>
  );
}
