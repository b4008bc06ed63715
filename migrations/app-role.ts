/** The login role the API uses: owns nothing, cannot bypass row-level security. */
export function appRoleName(): string {
  const role = process.env.DATABASE_APP_ROLE ?? 'findash_app';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(role)) {
    throw new Error(`DATABASE_APP_ROLE must be a lower-case SQL identifier, got "${role}"`);
  }
  return role;
}
