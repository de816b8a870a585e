import type { Prisma } from "@/generated/prisma/client";

/**
 * A value as Prisma's JSON input type. The round trip drops `undefined` fields and
 * fails on what JSON cannot hold (BigInt, cycles) here rather than inside a query.
 */
export function toJson(value: unknown): Prisma.InputJsonValue {
  return JSON.parse(JSON.stringify(value));
}
