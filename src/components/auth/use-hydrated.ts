"use client";

import { useSyncExternalStore } from "react";

/**
 * False until the form's script runs. Submit buttons wait for it: a form sent before hydration
 * would go as a plain browser submit and lose the page's handling of it.
 */
export function useHydrated(): boolean {
  return useSyncExternalStore(
    noSubscribe,
    () => true,
    () => false,
  );
}
const noSubscribe = () => () => {};
