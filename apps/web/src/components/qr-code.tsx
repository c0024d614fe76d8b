// A QR code drawn as SVG in the browser (uqr): the otpauth:// secret never leaves the page for an image service.
import { encode } from "uqr";

export function QrCode({ value, label, size = 192 }: { value: string; label: string; size?: number }) {
  const { data } = encode(value, { ecc: "M", border: 2 });
  const cells = data.length;
  const path = data.flatMap((row, y) => row.map((dark, x) => (dark ? `M${x} ${y}h1v1h-1z` : ""))).join("");
  return (
    <svg
      role="img"
      aria-label={label}
      width={size}
      height={size}
      viewBox={`0 0 ${cells} ${cells}`}
      shapeRendering="crispEdges"
      className="rounded border border-slate-200 bg-white"
    >
      <path d={path} fill="#0f172a" />
    </svg>
  );
}
