import type { Metadata } from "next";
import { AlertsPanel } from "./alerts-panel.tsx";

export const metadata: Metadata = { title: "Alerts" };

export default function AlertsPage() {
  return <AlertsPanel />;
}
