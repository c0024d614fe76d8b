"use client";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
// The browser side of tRPC: TanStack Query hooks typed by the server's router.
import type { AppRouter } from "@tributary/api";
import { createTRPCClient, httpBatchLink, TRPCClientError } from "@trpc/client";
import { createTRPCContext } from "@trpc/tanstack-react-query";
import { type ReactNode, useState } from "react";
import superjson from "superjson";

export const { TRPCProvider, useTRPC } = createTRPCContext<AppRouter>();

function makeQueryClient() {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 15_000,
        // Client errors (not found, forbidden, bad input) will not change by asking again.
        retry: (count, error) =>
          !(error instanceof TRPCClientError && (error.data?.httpStatus ?? 500) < 500) && count < 2,
      },
    },
  });
}

export function TRPCReactProvider({ children }: { children: ReactNode }) {
  const [queryClient] = useState(makeQueryClient);
  const [trpcClient] = useState(() =>
    createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: "/api/trpc", transformer: superjson })] }),
  );
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        {children}
      </TRPCProvider>
    </QueryClientProvider>
  );
}

/** The message to show for a failed call, and the per-field messages of a rejected form. */
export function describeError(error: unknown): { message: string; fields: Record<string, string> } {
  if (error instanceof TRPCClientError) {
    const data = error.data as { fieldErrors?: Record<string, string[]>; details?: { field?: string } } | undefined;
    const fields: Record<string, string> = {};
    // By dotted path (config.port), and by the form's own field too: a list field (allowedHosts) shows the
    // problem of its entry (allowedHosts.1).
    for (const [field, messages] of Object.entries(data?.fieldErrors ?? {})) {
      if (!messages[0]) continue;
      fields[field] = messages[0];
      fields[field.split(".")[0] ?? field] ??= messages[0];
    }
    if (data?.details?.field) fields[data.details.field] = error.message;
    const message = Object.keys(data?.fieldErrors ?? {}).length
      ? "Please correct the fields marked below."
      : error.message;
    return { message, fields };
  }
  return { message: "Something went wrong. Check your connection and try again.", fields: {} };
}
