import type { Metadata } from "next";
import { ApiKeysPanel } from "./api-keys-panel.tsx";

export const metadata: Metadata = { title: "API keys" };

export default function ApiKeysPage() {
  return <ApiKeysPanel />;
}
