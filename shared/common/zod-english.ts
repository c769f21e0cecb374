/**
 * zod's English messages for every schema parsed with zod/mini. Full zod sets them on its first
 * schema; zod/mini loads no locale, so without this every issue would read "Invalid input".
 * Imported (for this effect) by each module that parses input whose messages reach someone:
 * the API's validation (problem+json `errors`), the SES event worker (its error names the
 * field), the operator limits. Not by shared/config/env.ts: the authorizer carries no locale
 * (2.7 KiB), and a malformed variable fails the cold start either way.
 */
import { en } from 'zod/locales';
import { config } from 'zod/mini';

config(en());
