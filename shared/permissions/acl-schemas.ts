/** Input and output shapes of the ACL and check API. */
import * as z from 'zod/mini';
import { ACTIONS } from '#shared/acl/types.js';
import { IdSchema, ResourceSchema, UserIdSchema } from '#shared/common/schemas.js';
import { compiledOnFirstParse } from '#shared/common/validation.js';
import { PageQuery } from '#shared/store/pagination.js';

/** `user:<userId>` or `group:<groupId>`. */
export const PrincipalSchema = z
  .string()
  .check(
    z.regex(
      /^(user:[A-Za-z0-9_-]{1,128}|group:[a-z0-9][a-z0-9_-]{0,63})$/,
      'must be user:<id> or group:<id>',
    ),
  );

export const ListAclsQuery = z.strictObject({
  ...PageQuery,
  principal: z.optional(PrincipalSchema),
  resource: z.optional(ResourceSchema),
});

export const ActionSchema = z.enum(ACTIONS, { message: `must be one of ${ACTIONS.join(', ')}` });

export const UserAclPath = z.object({ rid: z.string(), userId: UserIdSchema, action: z.string() });
export const GroupAclPath = z.object({ rid: z.string(), groupId: IdSchema, action: z.string() });
/** `{prefix}` of a namespace, checked by the namespace service (400 naming `path.prefix`). */
export const NamespacePath = z.object({ prefix: z.string() });

/** A resource id checked by the engine's rules (characters, length, no empty, `.` or `..` level). */
export const ResourceIdSchema = ResourceSchema;

const Subject = {
  userId: z.optional(UserIdSchema),
  email: z.optional(z.string().check(z.trim(), z.toLowerCase(), z.minLength(1), z.maxLength(254))),
  serviceAccountId: z.optional(IdSchema),
};
const ONE_SUBJECT = 'give exactly one of userId, email and serviceAccountId';
const subjects = (c: { userId?: string; email?: string; serviceAccountId?: string }) =>
  [c.userId, c.email, c.serviceAccountId].filter((v) => v !== undefined).length;

export const CheckItem = z
  .strictObject({ ...Subject, resource: ResourceIdSchema, action: ActionSchema })
  .check(z.refine((c) => subjects(c) === 1, { message: ONE_SUBJECT, path: ['userId'] }));
export type CheckInput = z.infer<typeof CheckItem>;

/** One check (`{userId | email | serviceAccountId, resource, action}`), or `{checks: [...]}` with 1 to 100 of them. */
const CheckBodySchema = z
  .strictObject({
    checks: z.optional(z.array(CheckItem).check(z.minLength(1), z.maxLength(100))),
    ...Subject,
    resource: z.optional(ResourceIdSchema),
    action: z.optional(ActionSchema),
  })
  .check(
    z.superRefine((v, ctx) => {
      const single = ['userId', 'email', 'serviceAccountId', 'resource', 'action'] as const;
      if (v.checks !== undefined) {
        for (const key of single) {
          if (v[key] !== undefined) {
            ctx.addIssue({ code: 'custom', path: [key], message: 'not allowed beside checks' });
          }
        }
        return;
      }
      if (v.resource === undefined)
        ctx.addIssue({ code: 'custom', path: ['resource'], message: 'required' });
      if (v.action === undefined)
        ctx.addIssue({ code: 'custom', path: ['action'], message: 'required' });
      if (subjects(v) !== 1)
        ctx.addIssue({ code: 'custom', path: ['userId'], message: ONE_SUBJECT });
    }),
  );
/** {@link CheckBodySchema}, parsed compiled: a body of 100 checks is one generated pass. */
export const CheckBody = compiledOnFirstParse(CheckBodySchema);
export type CheckBodyInput = z.infer<typeof CheckBody>;

export const AclEntry = z.object({
  principal: z.string(),
  resource: z.string(),
  action: z.enum(ACTIONS),
});
export const AclPage = z.object({ items: z.array(AclEntry), nextCursor: z.nullable(z.string()) });

export const CheckResult = z.object({
  allowed: z.boolean(),
  reason: z.string(),
  userId: z.optional(z.string()),
  resource: z.optional(z.string()),
  action: z.optional(z.string()),
});
export const CheckResponse = z.union([CheckResult, z.object({ results: z.array(CheckResult) })]);

/** A registered namespace: grants on `prefix` or under it accept only `actions`. */
export const NamespaceBody = z.strictObject({
  actions: z.array(ActionSchema).check(
    z.minLength(1),
    z.maxLength(ACTIONS.length),
    z.refine((a) => new Set(a).size === a.length, { message: 'must not repeat an action' }),
  ),
});
export const NamespaceView = z.object({ prefix: z.string(), actions: z.array(z.enum(ACTIONS)) });
export const NamespacePage = z.object({
  items: z.array(NamespaceView),
  nextCursor: z.nullable(z.string()),
});
