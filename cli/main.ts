/** Entry of the `gatehouse` CLI: runs the program and turns every outcome into an exit code. */
import { CommanderError } from 'commander';
import { CliError, EXIT, type ExitCode, SilentExit } from './errors.js';
import { terminalSafe, writeSafe } from './output.js';
import { buildProgram } from './program.js';

const wantsJson = process.argv.includes('--json');

function report(error: unknown): ExitCode {
  if (error instanceof SilentExit) return error.exitCode;
  if (error instanceof CommanderError) {
    // Commander has printed its message; --help and --version are successes.
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') {
      return EXIT.ok;
    }
    return EXIT.usage;
  }
  if (error instanceof CliError) {
    if (wantsJson && error.problem) writeSafe(process.stdout, JSON.stringify(error.problem));
    // The message, field paths and hint may come from the server: one line each, escaped.
    const one = (text: unknown) => terminalSafe(String(text), true);
    const lines = [`error: ${one(error.message)}`];
    for (const e of error.problem?.errors ?? []) {
      const line = `${e.path}: ${e.message}`;
      // A single-field problem often repeats its field in the detail already.
      if (line !== error.message) lines.push(`  ${one(line)}`);
    }
    if (error.hint) lines.push(`hint: ${one(error.hint)}`);
    writeSafe(process.stderr, lines.join('\n'));
    return error.exitCode;
  }
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  writeSafe(process.stderr, `error: ${message}`);
  return EXIT.unexpected;
}

let code: ExitCode = EXIT.ok;
try {
  await buildProgram().parseAsync(process.argv);
} catch (error) {
  code = report(error);
}
// Exit explicitly once output is flushed: idle keep-alive sockets must not hold the process.
process.stdout.write('', () => process.exit(code));
