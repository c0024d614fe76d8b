import type { Metadata } from "next";
import { Builder } from "./builder.tsx";

export const metadata: Metadata = { title: "Flow builder" };

export default async function FlowBuilderPage({ params }: { params: Promise<{ flowId: string }> }) {
  const { flowId } = await params;
  return <Builder flowId={flowId} />;
}
