/** Input and output shapes of the tenant API. */
import * as z from 'zod';
import { NameSchema } from '#shared/members/member-schemas.js';

export const TenantIdSchema = z
  .string()
  .regex(
    /^[a-z0-9](?:[a-z0-9-]{1,61})[a-z0-9]$/,
    'must be a lowercase slug of 3-63 characters (a-z, 0-9, -)',
  );
/** `{tenantId}`: the authorizer has already matched it to the caller's membership. */
export const TenantPath = z.object({ tenantId: z.string() });

const IdListSchema = z.array(z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'invalid id')).max(50);

export const TenantSettingsSchema = z.strictObject({
  inviteTtlHours: z.number().int().min(1).max(720),
  defaultGroups: IdListSchema,
  defaultRoles: IdListSchema,
  /** How often one invite may be resent within an hour before 429. */
  maxResendsPerHour: z.number().int().min(1).max(50),
});

export type TenantSettings = z.infer<typeof TenantSettingsSchema>;

export const DEFAULT_SETTINGS: TenantSettings = {
  inviteTtlHours: 72,
  defaultGroups: [],
  defaultRoles: ['member'],
  maxResendsPerHour: 5,
};

export const CreateTenantBody = z.strictObject({ tenantId: TenantIdSchema, name: NameSchema });
export type CreateTenantInput = z.infer<typeof CreateTenantBody>;

export const PatchTenantBody = z
  .strictObject({
    name: NameSchema.optional(),
    settings: TenantSettingsSchema.partial().strict().optional(),
  })
  .refine((v) => v.name !== undefined || v.settings !== undefined, {
    message: 'give name or settings',
  });
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
