import type { Metadata } from "next";
import { Suspense } from "react";
import { AuditLog } from "./audit-log.tsx";

export const metadata: Metadata = { title: "Audit log" };

export default function AuditPage() {
  // The filters are read from the URL, which the page knows only in the browser.
  return (
    <Suspense>
      <AuditLog />
    </Suspense>
  );
}
