/** A route option that takes one hook or several (Fastify's onRequest, onResponse, …) as a list. */
export function asArray<T>(hooks: T | readonly T[] | undefined): T[] {
  if (hooks === undefined) return [];
  return Array.isArray(hooks) ? [...(hooks as readonly T[])] : [hooks as T];
}
