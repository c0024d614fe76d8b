"use client";
import type { ReactNode } from "react";
import { describeError } from "~/trpc/react.tsx";
import { Alert } from "./alert.tsx";

/** The row a table shows while its query loads, when it fails, or when it finds nothing. */
export function QueryRows({
  query,
  columns,
  loading,
  empty,
}: {
  query: { isPending: boolean; error: unknown; data?: readonly unknown[] | undefined };
  columns: number;
  loading: string;
  empty?: ReactNode;
}) {
  const row = (content: ReactNode, className = "px-4 py-3") => (
    <tr>
      <td className={className} colSpan={columns}>
        {content}
      </td>
    </tr>
  );
  if (query.isPending) return row(loading, "px-4 py-3 text-slate-500");
  if (query.error) return row(<Alert>{describeError(query.error).message}</Alert>);
  if (empty && query.data?.length === 0) return row(empty, "px-4 py-6 text-center text-slate-500");
  return null;
}
