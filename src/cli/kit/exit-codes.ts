// The memql CLI's exit codes: scripts may rely on them (README, "The memql
// command"). One place, so every command answers the same way.

export const EXIT = {
  /** Done. */
  OK: 0,
  /** The command failed: an operation was refused for another reason, `doctor` found a problem. */
  FAILED: 1,
  /** Bad arguments or an invalid setting: fix the command line or the environment. */
  USAGE: 2,
  /** The server (or the database, Chroma) could not be reached. */
  UNREACHABLE: 3,
  /** The key was missing, unknown, revoked, or not allowed to do this (an admin key is needed). */
  REFUSED: 4,
  /** What the command names (a project, a key) does not exist. */
  NOT_FOUND: 5,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A failure the CLI reports with its message on stderr and the exit code. */
export class CliError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
