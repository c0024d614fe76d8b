import type { Metadata } from "next";
import { TopicsPanel } from "./topics-panel.tsx";

export const metadata: Metadata = { title: "Topics" };

export default function TopicsPage() {
  return <TopicsPanel />;
}
