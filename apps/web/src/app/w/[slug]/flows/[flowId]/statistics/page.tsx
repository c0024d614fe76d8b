import type { Metadata } from "next";
import { StatisticsPanel } from "./statistics-panel.tsx";

export const metadata: Metadata = { title: "Flow statistics" };

export default async function FlowStatisticsPage({ params }: { params: Promise<{ flowId: string }> }) {
  const { flowId } = await params;
  return <StatisticsPanel flowId={flowId} />;
}
