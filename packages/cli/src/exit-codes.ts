// What `tributary` exits with, so scripts can tell a failed run from a bad key from a server that is down.
export const EXIT = {
  /** Done; a run that was followed succeeded. */
  ok: 0,
  /** The thing itself failed: a run failed or was cancelled, a flow has problems, a publish was refused. */
  failed: 1,
  /** The command line was wrong: unknown command or option, missing argument, unreadable file. */
  usage: 2,
  /** Not logged in, or the API key was refused (wrong, revoked or expired). */
  unauthorized: 3,
  /** The key's role may not do this. */
  forbidden: 4,
  /** No such flow, run, connection or secret in the workspace. */
  notFound: 5,
  /** The server refused the request: invalid input, a conflict, or the rate limit. */
  refused: 6,
  /** The server could not be reached, or failed (5xx). */
  unavailable: 7,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error the CLI reports in one line and exits with. */
export class CliError extends Error {
  readonly exitCode: ExitCode;
  readonly details: unknown;

  constructor(message: string, exitCode: ExitCode, details?: unknown) {
    super(message);
    this.name = "CliError";
    this.exitCode = exitCode;
    this.details = details;
  }
}
