/** Input and output shapes of the tenant API. */
import * as z from 'zod/mini';
import { NameSchema } from '#shared/common/schemas.js';
import { TenantSettingsSchema } from '#shared/policy/tenant-settings.js';

export const TenantIdSchema = z
  .string()
  .check(
    z.regex(
      /^[a-z0-9](?:[a-z0-9-]{1,61})[a-z0-9]$/,
      'must be a lowercase slug of 3-63 characters (a-z, 0-9, -)',
    ),
  );
/** `{tenantId}`: the authorizer has already matched it to the caller's membership. */
export const TenantPath = z.object({ tenantId: z.string() });

export const CreateTenantBody = z.strictObject({ tenantId: TenantIdSchema, name: NameSchema });
export type CreateTenantInput = z.infer<typeof CreateTenantBody>;

export const PatchTenantBody = z
  .strictObject({
    name: z.optional(NameSchema),
    settings: z.optional(z.partial(TenantSettingsSchema)),
  })
  .check(
    z.refine((v) => v.name !== undefined || v.settings !== undefined, {
      message: 'give name or settings',
    }),
  );
export type PatchTenantInput = z.infer<typeof PatchTenantBody>;

export const TenantView = z.object({
  tenantId: z.string(),
  name: z.string(),
  settings: TenantSettingsSchema,
  createdAt: z.string(),
  createdBy: z.string(),
});
export type TenantView = z.infer<typeof TenantView>;

export const MeView = z.object({
  userId: z.string(),
  email: z.string(),
  tenants: z.array(
    z.object({ tenantId: z.string(), name: z.string(), status: z.string(), joinedAt: z.string() }),
  ),
});

/** What the caller may call in one tenant, as route keys (`DELETE /v1/tenants/{tenantId}/members/{userId}`). */
export const AbilitiesView = z.object({
  tenantId: z.string(),
  /** Tenant routes the authorizer lets the caller call, whatever the other path parameters. */
  routes: z.array(z.string()),
  /** Tenant routes allowed only on the caller's own membership (their `self` parameter is them). */
  selfRoutes: z.array(z.string()),
  /**
   * The roles (bound on everything) and groups the caller may hand out: they hold all they
   * confer. Each list only when the caller may read that list (`GET .../roles`, `.../groups`).
   */
  grantable: z.object({
    roles: z.optional(z.array(z.string())),
    groups: z.optional(z.array(z.string())),
  }),
});
