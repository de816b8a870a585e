/**
 * Every node type, imported explicitly. The editor, the tRPC and REST APIs and the
 * worker all read this one registry.
 */
import type { NodeCategory, NodeDefinition } from "./contract";
import postgresDestination from "./destinations/postgres";
import csvSource from "./sources/csv";
import httpSource from "./sources/http";
import jsonSource from "./sources/json";
import excelSource from "./sources/excel";
import xmlSource from "./sources/xml";
import aggregate from "./transform/aggregate";
import cast from "./transform/cast";
import dedupe from "./transform/dedupe";
import derive from "./transform/derive";
import filter from "./transform/filter";
import joinNode from "./transform/join";
import select from "./transform/select";
import validate from "./validate/validate";

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

// Each module was type-checked by defineNode against its own config type; the list holds them side by side.
export const registry = createRegistry([
  csvSource,
  jsonSource,
  xmlSource,
  excelSource,
  httpSource,
  validate,
  select,
  filter,
  derive,
  cast,
  dedupe,
  joinNode,
  aggregate,
  postgresDestination,
] as NodeDefinition[]);
