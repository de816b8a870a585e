/**
 * Every node type, imported explicitly. The editor, the tRPC and REST APIs and the
 * worker all read this one registry.
 */
import type { NodeCategory, NodeDefinition } from "./contract";
import postgresDestination from "./destinations/postgres";
import csvSource from "./sources/csv";

export interface Registry {
  get(type: string): NodeDefinition | undefined;
  all(): readonly NodeDefinition[];
  byCategory(category: NodeCategory): readonly NodeDefinition[];
}

export function createRegistry(definitions: readonly NodeDefinition[]): Registry {
  const byType = new Map<string, NodeDefinition>();
  for (const definition of definitions) {
    if (byType.has(definition.type)) throw new Error(`Two node modules declare the type "${definition.type}"`);
    byType.set(definition.type, definition);
  }
  return {
    get: (type) => byType.get(type),
    all: () => definitions,
    byCategory: (category) => definitions.filter((d) => d.ui.category === category),
  };
}

export const registry = createRegistry([csvSource, postgresDestination] as NodeDefinition[]);
