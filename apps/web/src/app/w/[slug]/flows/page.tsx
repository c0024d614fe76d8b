import type { Metadata } from "next";
import { FlowsPanel } from "./flows-panel.tsx";

export const metadata: Metadata = { title: "Flows" };

export default function FlowsPage() {
  return <FlowsPanel />;
}
