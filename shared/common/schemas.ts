/** Input shapes shared by every capability: ids, names, emails, resources, rules, role bindings. */
import * as z from 'zod';
import { validateResourceId } from '#shared/acl/resource.js';
import { ACTIONS } from '#shared/acl/types.js';
import { safeText } from '#shared/common/validation.js';

export const IdSchema = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9_-]{0,63}$/,
    'must be 1-64 of a-z, 0-9, _ and -, starting with a letter or digit',
  );
export const UserIdSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_-]+$/, 'invalid user id');

/**
 * A one-line display name: no CR/LF (safe in mail headers), and no control or bidi character
 * of any kind (safe in a terminal, reads as it is): 400 naming the field.
 */
export const NameSchema = safeText()
  .trim()
  .min(1)
  .max(200)
  .regex(/^[^\r\n]*$/, 'must be one line');

/** Free text shown beside a name: the same characters as a name, up to 1000 of them. */
export const DescriptionSchema = safeText().trim().max(1000);

export const EmailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(254)
  .pipe(z.email({ message: 'must be an email address' }));

/** A resource id with one spelling (rule 15): see validateResourceId; 400 naming the field. */
export const ResourceSchema = z
  .string()
  .max(256)
  .superRefine((rid, ctx) => {
    const problem = validateResourceId(rid);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

export const RuleSchema = z.strictObject({ resource: ResourceSchema, action: z.enum(ACTIONS) });

export const RoleBindingSchema = z.strictObject({
  roleId: IdSchema,
  scope: ResourceSchema.optional(),
});
