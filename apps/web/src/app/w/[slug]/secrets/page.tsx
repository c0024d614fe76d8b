import type { Metadata } from "next";
import { SecretsPanel } from "./secrets-panel.tsx";

export const metadata: Metadata = { title: "Secrets" };

export default function SecretsPage() {
  return <SecretsPanel />;
}
