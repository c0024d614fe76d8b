import type { Metadata } from "next";
import { TemplateGallery } from "./template-gallery.tsx";

export const metadata: Metadata = { title: "Templates" };

export default function TemplatesPage() {
  return <TemplateGallery />;
}
