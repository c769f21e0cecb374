/** Input shapes shared by every capability: ids, names, emails, resources, rules, role bindings. */
import * as z from 'zod/mini';
import { validateResourceId } from '#shared/acl/resource.js';
import { ACTIONS } from '#shared/acl/types.js';
import { safeText } from '#shared/common/validation.js';

export const IdSchema = z
  .string()
  .check(
    z.regex(
      /^[a-z0-9][a-z0-9_-]{0,63}$/,
      'must be 1-64 of a-z, 0-9, _ and -, starting with a letter or digit',
    ),
  );
export const UserIdSchema = z
  .string()
  .check(z.minLength(1), z.maxLength(128), z.regex(/^[A-Za-z0-9_-]+$/, 'invalid user id'));

/**
 * A one-line display name: no CR/LF (safe in mail headers), and no control or bidi character
 * of any kind (safe in a terminal, reads as it is): 400 naming the field.
 */
export const NameSchema = safeText().check(
  z.trim(),
  z.minLength(1),
  z.maxLength(200),
  z.regex(/^[^\r\n]*$/, 'must be one line'),
);

/** Free text shown beside a name: the same characters as a name, up to 1000 of them. */
export const DescriptionSchema = safeText().check(z.trim(), z.maxLength(1000));

export const EmailSchema = z.pipe(
  z.string().check(z.trim(), z.toLowerCase(), z.maxLength(254)),
  z.email({ message: 'must be an email address' }),
);

/** A resource id with one spelling (rule 15): see validateResourceId; 400 naming the field. */
export const ResourceSchema = z.string().check(
  z.maxLength(256),
  z.superRefine((rid, ctx) => {
    const problem = validateResourceId(rid);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
);

export const RuleSchema = z.strictObject({ resource: ResourceSchema, action: z.enum(ACTIONS) });

export const RoleBindingSchema = z.strictObject({
  roleId: IdSchema,
  scope: z.optional(ResourceSchema),
});
