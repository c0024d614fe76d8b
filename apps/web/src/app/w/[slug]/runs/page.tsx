import type { Metadata } from "next";
import { RunsPanel } from "./runs-panel.tsx";

export const metadata: Metadata = { title: "Runs" };

export default async function RunsPage({ searchParams }: { searchParams: Promise<{ flowId?: string }> }) {
  const { flowId } = await searchParams;
  return <RunsPanel initialFlowId={flowId ?? ""} />;
}
