/** The CLI's error family and the exit codes scripts can rely on. */

/** Exit codes: stable, documented in docs/cli.md. */
export const EXIT = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  denied: 3,
  unauthenticated: 4,
  forbidden: 5,
  notFound: 6,
  conflict: 7,
  invalid: 8,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** One field problem of a problem+json body. */
export interface FieldProblem {
  path: string;
  message: string;
}

/** An RFC 9457 problem body as the API sends it. */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: FieldProblem[];
  [key: string]: unknown;
}

/** A failure the CLI explains itself: a message, an exit code and a hint of what to do next. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    readonly hint?: string,
    readonly problem?: Problem,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Wrong arguments or options (exit 2). */
export function usageError(message: string, hint?: string): CliError {
  return new CliError(message, EXIT.usage, hint);
}

/** No stored session, or the API refused the token (exit 4). */
export function notLoggedIn(message = 'You are not logged in.'): CliError {
  return new CliError(message, EXIT.unauthenticated, 'run `gatehouse login`');
}

/** A non-2xx answer of the API. */
export class ApiError extends CliError {
  constructor(
    readonly status: number,
    problem: Problem,
    hint?: string,
  ) {
    super(
      problem.detail ?? problem.title ?? `HTTP ${status}`,
      exitCodeForStatus(status),
      hint,
      problem,
    );
    this.name = 'ApiError';
  }
}

/** Maps an HTTP status to the CLI's exit code. */
export function exitCodeForStatus(status: number): ExitCode {
  if (status === 400) return EXIT.invalid;
  if (status === 401) return EXIT.unauthenticated;
  if (status === 403) return EXIT.forbidden;
  if (status === 404) return EXIT.notFound;
  if (status === 409 || status === 410 || status === 422) return EXIT.conflict;
  return EXIT.unexpected;
}

/** Ends the run with an exit code after the command has already printed its result (check denied). */
export class SilentExit extends Error {
  constructor(readonly exitCode: ExitCode) {
    super(`exit ${exitCode}`);
    this.name = 'SilentExit';
  }
}
