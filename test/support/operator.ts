/** What an operator does outside the API (`npm run tenant-limits`), for tests that need volume. */
import { setTenantLimits, setUserTenantCap } from '#shared/limits/mail-limits.js';
import { domainDeps } from './domain-deps.js';

const deps = domainDeps();

/** Lets `userId` create many tenants a day (race tests make a fresh tenant per trial). */
export async function allowManyTenants(userId: string): Promise<void> {
  await setUserTenantCap(deps, userId, 1000);
}

/** Raises a tenant's invite-mail limits far above the new-tenant defaults. */
export async function raiseMailLimits(tenantId: string): Promise<void> {
  await setTenantLimits(deps, tenantId, { mailsPerHour: 10_000, mailsPerDay: 100_000 });
}
