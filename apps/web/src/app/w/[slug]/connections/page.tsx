import type { Metadata } from "next";
import { ConnectionsPanel } from "./connections-panel.tsx";

export const metadata: Metadata = { title: "Connections" };

export default function ConnectionsPage() {
  return <ConnectionsPanel />;
}
