import type { Metadata } from "next";
import { RunsPanel } from "./runs-panel.tsx";

export const metadata: Metadata = { title: "Runs" };

export default function RunsPage() {
  return <RunsPanel />;
}
