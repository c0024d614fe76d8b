import type { Metadata } from "next";
import { SecurityPanel } from "./security-panel.tsx";

export const metadata: Metadata = { title: "Security" };

export default function SecurityPage() {
  return <SecurityPanel />;
}
