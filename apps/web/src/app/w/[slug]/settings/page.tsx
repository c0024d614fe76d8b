import type { Metadata } from "next";
import { WorkspaceSettings } from "./workspace-settings.tsx";

export const metadata: Metadata = { title: "Settings" };

export default function SettingsPage() {
  return <WorkspaceSettings />;
}
