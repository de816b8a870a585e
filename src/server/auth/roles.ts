import { z } from "zod";

/**
 * What a member of a workspace may do, lowest first: a viewer reads pipelines, runs,
 * quarantine, lineage and dashboards; an editor also builds, runs, fixes and re-ingests;
 * an owner also manages members, tokens, connections and settings.
 */
export const ROLES = ["viewer", "editor", "owner"] as const;
export const ZRole = z.enum(ROLES);
export type TRole = z.infer<typeof ZRole>;

/** True when `held` allows everything `needed` allows. */
export function roleAllows(held: TRole, needed: TRole): boolean {
  return ROLES.indexOf(held) >= ROLES.indexOf(needed);
}

/** The sentence a refused caller reads. */
export function roleRefusal(held: TRole, needed: TRole): string {
  return `This needs the ${needed} role in this workspace; yours is ${held}`;
}

/** The lower of two roles: a token never acts above its user. */
export function lowerRole(a: TRole, b: TRole): TRole {
  return ROLES.indexOf(a) <= ROLES.indexOf(b) ? a : b;
}
