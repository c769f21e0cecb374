/** A tenant's settings: invite lifetime, what a new member receives, how often an invite may be resent. */
import * as z from 'zod/mini';

const IdListSchema = z
  .array(z.string().check(z.regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'invalid id')))
  .check(z.maxLength(50));

export const TenantSettingsSchema = z.strictObject({
  inviteTtlHours: z.number().check(z.int(), z.gte(1), z.lte(720)),
  defaultGroups: IdListSchema,
  defaultRoles: IdListSchema,
  /** How often one invite may be resent within an hour before 429. */
  maxResendsPerHour: z.number().check(z.int(), z.gte(1), z.lte(50)),
});

export type TenantSettings = z.infer<typeof TenantSettingsSchema>;

export const DEFAULT_SETTINGS: TenantSettings = {
  inviteTtlHours: 72,
  defaultGroups: [],
  defaultRoles: ['member'],
  maxResendsPerHour: 5,
};

/** A tenant's settings as stored, with the defaults for those never set. */
export function settingsOf(stored: unknown): TenantSettings {
  return { ...DEFAULT_SETTINGS, ...(stored as Partial<TenantSettings> | undefined) };
}
