import type { Metadata } from "next";
import { DeadLettersPanel } from "./dead-letters-panel.tsx";

export const metadata: Metadata = { title: "Dead letters" };

export default async function DeadLettersPage({ params }: { params: Promise<{ flowId: string }> }) {
  const { flowId } = await params;
  return <DeadLettersPanel flowId={flowId} />;
}
