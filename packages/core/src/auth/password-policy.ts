// What makes a password acceptable: long enough, and not guessable by zxcvbn (dictionaries of common
// passwords, names, keyboard patterns), including guesses built from the user's own email. The dictionaries
// (tens of MB of heap) are loaded with the first password checked: the worker, and a web process that signs
// nobody up, never carry them.
import type { ZxcvbnFactory } from "@zxcvbn-ts/core";
import { AppError } from "../errors/app-error.ts";

export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 200;
const MIN_SCORE = 3;

let estimator: Promise<ZxcvbnFactory> | undefined;

function getEstimator(): Promise<ZxcvbnFactory> {
  estimator ??= Promise.all([
    import("@zxcvbn-ts/core"),
    import("@zxcvbn-ts/language-common"),
    import("@zxcvbn-ts/language-en"),
  ]).then(
    ([{ ZxcvbnFactory }, common, en]) =>
      new ZxcvbnFactory({
        dictionary: { ...common.dictionary, ...en.dictionary },
        graphs: common.adjacencyGraphs,
        translations: en.translations,
      }),
  );
  return estimator;
}

/** Throws BAD_REQUEST with advice when `password` is too weak. */
export async function assertStrongPassword({ password, email }: { password: string; email: string }): Promise<void> {
  if (password.length < PASSWORD_MIN_LENGTH) {
    throw new AppError("BAD_REQUEST", `Password must be at least ${PASSWORD_MIN_LENGTH} characters long.`, {
      field: "password",
    });
  }
  if (password.length > PASSWORD_MAX_LENGTH) {
    throw new AppError("BAD_REQUEST", `Password must be at most ${PASSWORD_MAX_LENGTH} characters long.`, {
      field: "password",
    });
  }
  const localPart = email.split("@")[0] ?? "";
  const result = await (await getEstimator()).check(password, [email, localPart, ...email.split(/[@.+_-]/)]);
  if (result.score < MIN_SCORE) {
    const why = result.feedback.warning ?? "It would be easy to guess.";
    const advice = result.feedback.suggestions[0] ?? "Use a longer phrase of unrelated words.";
    throw new AppError("BAD_REQUEST", `Password is too weak. ${why} ${advice}`, { field: "password" });
  }
}
