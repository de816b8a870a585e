"use client";

import { createContext, useContext } from "react";
import type { Column } from "@/nodes/contract";
import type { TParamDeclaration } from "@/nodes/params";

export type FieldPath = (string | number)[];

/** What every field of one node's form needs: how to change the config, its problems, the columns it can pick. */
export interface FormContextValue {
  nodeId: string;
  change(path: FieldPath, value: unknown): void;
  /** Problems whose config path is exactly `path`. */
  errorsAt(path: FieldPath): string[];
  /** Columns arriving on an input port (default: the first), or the node's own output for sources; undefined while unknown. */
  columns(port?: string): Column[] | undefined;
  /** The pipeline's declared run parameters, which expressions may reference as `{{params.name}}`. */
  params: readonly TParamDeclaration[];
}

export const FormContext = createContext<FormContextValue | null>(null);

export function useFormContext(): FormContextValue {
  const value = useContext(FormContext);
  if (!value) throw new Error("form fields must be rendered inside <ConfigForm>");
  return value;
}
