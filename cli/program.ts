/** The `gatehouse` command tree: global options and every command group. */
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { registerAclCommands } from './commands/acl.js';
import { registerGroupCommands } from './commands/groups.js';
import { registerInviteCommands } from './commands/invites.js';
import { registerRoleCommands } from './commands/roles.js';
import { registerSessionCommands } from './commands/session.js';
import { registerTenantCommands } from './commands/tenants.js';
import { registerTokenCommands } from './commands/tokens.js';
import { registerUserCommands } from './commands/users.js';

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version?: string;
  };
  return pkg.version ?? '0.0.0';
}

/** Builds the program; `exitOverride` makes commander throw so main maps every exit code. */
export function buildProgram(): Command {
  const program = new Command('gatehouse')
    .description('Manage Gatehouse tenants, members, invites, groups, roles and ACLs.')
    .version(packageVersion())
    .exitOverride()
    .showHelpAfterError('(add --help for usage)')
    .option('--api <url>', 'API base URL (env GATEHOUSE_API_URL; default: the local stack)')
    .option('--stack <path>', 'a stack.json to read (default .local/stack.json)')
    .option('--region <region>', 'Cognito region (env GATEHOUSE_REGION)')
    .option('--client-id <id>', 'Cognito app client id (env GATEHOUSE_COGNITO_CLIENT_ID)')
    .option(
      '--issuer <url>',
      "sign-in issuer whose discovery names the endpoints (env GATEHOUSE_ISSUER; default: the stack's)",
    )
    .addOption(
      new Option(
        '-t, --tenant <id>',
        "tenant to act on (env GATEHOUSE_TENANT; default: the stack's)",
      ),
    )
    .option('--json', 'print raw JSON bodies for scripts')
    .addHelpText(
      'after',
      [
        '',
        'Exit codes: 0 ok, 1 unexpected error, 2 usage error, 3 check denied, 4 not logged in,',
        '5 forbidden, 6 not found, 7 conflict, 8 invalid input.',
        'Credentials live in $GATEHOUSE_CONFIG_DIR (default ~/.config/gatehouse), mode 0600.',
      ].join('\n'),
    );
  registerSessionCommands(program);
  registerTenantCommands(program);
  registerInviteCommands(program);
  registerUserCommands(program);
  registerGroupCommands(program);
  registerRoleCommands(program);
  registerAclCommands(program);
  registerTokenCommands(program);
  return program;
}
