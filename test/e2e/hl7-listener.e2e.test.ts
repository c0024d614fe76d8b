// An HL7 MLLP listener configured in the builder as an integration engineer would: drag the listener onto the
// canvas, let it wait for the flow, add an HL7 ACK step, publish, read the port the builder shows, and send it
// a message from a plain TCP client: the ACK the flow wrote comes back, and the run is in the Runs page.
import { connect, type Socket } from "node:net";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { dragWithMouse, launchBrowser, screenshot } from "../support/browser.ts";

const baseUrl = inject("baseUrl");
const run = Date.now().toString(36);
const user = { email: `hl7-${run}@example.com`, password: "amber willow lantern quartz" };

let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await launchBrowser();
  const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1280, height: 800 } });
  page = await context.newPage();
});
afterAll(async () => {
  await browser?.close();
});

/** Sends one MLLP frame and resolves with the frame that comes back. */
function sendMllp(port: number, message: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect({ host: "127.0.0.1", port }, () => {
      socket.write(Buffer.concat([Buffer.from([0x0b]), Buffer.from(message), Buffer.from([0x1c, 0x0d])]));
    });
    let received = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error("no ACK within 20 s"));
    }, 20_000);
    socket.on("data", (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const end = received.indexOf(0x1c);
      if (end !== -1) {
        clearTimeout(timer);
        socket.destroy();
        resolve(received.subarray(1, end).toString());
      }
    });
    socket.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

describe("an HL7 MLLP listener built in the browser", () => {
  it("is configured, published and answers a sender with the ACK its flow writes", async () => {
    await page.goto("/signup");
    await page.getByLabel("Email", { exact: true }).fill(user.email);
    await page.getByLabel("Password", { exact: true }).fill(user.password);
    await page.getByRole("button", { name: "Create account", exact: true }).click();
    await page.waitForURL(/\/w\//);
    const slug = new URL(page.url()).pathname.split("/")[2] ?? "";
    await page.goto(`/w/${slug}/flows`);
    await page.getByRole("button", { name: "New flow", exact: true }).click();
    await page.getByLabel("Flow name", { exact: true }).fill("Lab feed");
    await page.getByRole("button", { name: "Create and open", exact: true }).click();
    await page.waitForURL(/\/flows\/[0-9a-f-]{36}$/);

    const pane = await page.locator(".react-flow__pane").boundingBox();
    if (!pane) throw new Error("no canvas");
    await dragWithMouse(
      page,
      page.getByRole("button", { name: "HL7 MLLP listener", exact: true }),
      { x: pane.x + 160, y: pane.y + 210 },
      () => page.getByLabel("Acknowledge", { exact: true }).isVisible(),
    );
    await page.getByLabel("Acknowledge", { exact: true }).selectOption("flow");
    await page.getByRole("button", { name: "HL7 ACK", exact: true }).click();
    await page.getByLabel("Text", { exact: true }).fill("Filed for {{ segments[1].fields[5][0] }}");
    await page
      .getByTestId("save-state")
      .filter({ hasText: /^Saved$/ })
      .waitFor();
    await page.getByText("Valid", { exact: true }).waitFor();
    await screenshot(page, "hl7-01-listener-configured", { fullPage: false });

    await page.getByRole("button", { name: "Publish", exact: true }).click();
    await page.getByText("Published version 1").waitFor();
    await page.locator(".react-flow__node").first().click();
    const portText = page.getByRole("region", { name: "MLLP port", exact: true }).locator("code");
    await portText.waitFor({ timeout: 30_000 });
    const port = Number(await portText.textContent());
    expect(port).toBeGreaterThan(0);
    await screenshot(page, "hl7-02-listener-port", { fullPage: false });

    let ack = "";
    for (let attempt = 0; attempt < 40 && !ack; attempt++) {
      ack = await sendMllp(
        port,
        "MSH|^~\\&|ADT1|HOSP|LAB|HOSP|202601011200||ADT^A01|E2E-1|P|2.5\rPID|1||42^^^HOSP||DOE^JANE",
      ).catch(async () => {
        await page.waitForTimeout(500);
        return "";
      });
    }
    expect(ack.split("\r").find((segment) => segment.startsWith("MSA|"))).toBe("MSA|AA|E2E-1|Filed for DOE");

    await page.goto(`/w/${slug}/runs`);
    await page.getByRole("cell", { name: "Lab feed" }).first().waitFor();
    await screenshot(page, "hl7-03-run-listed");
  }, 120_000);
});
