/** The user profile item: a person's id and email, outside any tenant. */
import { keys } from '#shared/store/keys.js';
import type { TxItem } from '#shared/store/table.js';

export function userProfilePut(userId: string, email: string): TxItem {
  return { put: { ...keys.user(userId), type: 'user', userId, email } };
}
