// A secret that cannot be opened (altered at rest, or sealed with a key the worker lacks) fails only what
// reads it, saying which secret and what to do; every other run of the workspace runs, nothing stays running.
import { createSecretBox, setSecret } from "@tributary/core";
import { scoped } from "@tributary/db";
import { beforeAll, describe, expect, it } from "vitest";
import { useConnectorHarness } from "../support/connector-harness.ts";
import { useTestEnvironment } from "../support/environment.ts";
import { graph } from "../support/run-helpers.ts";
import { TEST_ENCRYPTION_KEY } from "../support/worker-process.ts";

const env = useTestEnvironment();
const harness = useConnectorHarness(env);
const manual: [string, string] = ["start", "trigger.manual"];

beforeAll(async () => {
  const secretBox = createSecretBox({ currentKey: TEST_ENCRYPTION_KEY });
  for (const [name, value] of [
    ["GOOD_TOKEN", "good-token-value"],
    ["BROKEN_TOKEN", "broken-token-value"],
  ] as const) {
    await setSecret({ db: env.db, secretBox, workspaceId: harness.workspaceId, actor: harness.actor, name, value });
  }
  // Altered at rest: one byte of the sealed value flipped.
  await scoped(
    env.db,
    { workspaceId: harness.workspaceId },
    (tx) =>
      tx.$executeRaw`UPDATE secrets SET ciphertext = overlay(ciphertext placing '\\x00'::bytea from length(ciphertext) for 1)
                   WHERE name = 'BROKEN_TOKEN'`,
  );
});

describe("a secret that cannot be opened", () => {
  it("fails the step that reads it, with which secret and what to do", async () => {
    const run = await harness.runFlow(
      graph([manual, ["use", "data.transform", { expression: "$secrets.BROKEN_TOKEN" }]], [["start", "use"]]),
    );
    expect(run.status).toBe("failed");
    expect(run.error?.message).toMatch(/secret BROKEN_TOKEN cannot be opened.*Secrets page/);
  });

  it("fails a code step that was given it", async () => {
    const run = await harness.runFlow(
      graph(
        [
          manual,
          [
            "code",
            "code.typescript",
            {
              source: "export default (m, ctx) => ({ ok: Boolean(ctx.secrets.BROKEN_TOKEN) });",
              secrets: ["BROKEN_TOKEN"],
            },
          ],
        ],
        [["start", "code"]],
      ),
    );
    expect(run.status).toBe("failed");
    expect(run.steps.find((s) => s.stepId === "code")?.error).toMatchObject({ code: "secret_unreadable" });
  });

  it("lets runs that do not read it run, those that read other secrets too", async () => {
    const plain = await harness.runFlow(
      graph([manual, ["double", "data.transform", { expression: "n * 2" }]], [["start", "double"]]),
      { n: 21 },
    );
    expect(plain.status).toBe("succeeded");
    expect(plain.output?.body).toBe(42);
    const other = await harness.runFlow(
      graph([manual, ["use", "data.transform", { expression: "$length($secrets.GOOD_TOKEN)" }]], [["start", "use"]]),
    );
    expect(other.status).toBe("succeeded");
    expect(other.output?.body).toBe("good-token-value".length);
  });
});
