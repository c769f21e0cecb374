/** The signed-in person, as `GET /v1/me` describes them. */
export interface Me {
  userId: string;
  email: string;
  tenants: { tenantId: string; name: string; status: string }[];
}
