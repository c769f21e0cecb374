#!/usr/bin/env node
// The `gatehouse` CLI: runs the TypeScript sources through tsx, as the rest of the repository does.
import { register } from 'tsx/esm/api';

// The SDK's notice about future Node support is noise for CLI users.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
await import('../cli/main.ts');
