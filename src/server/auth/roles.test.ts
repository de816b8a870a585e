import { describe, expect, it } from "vitest";
import { roleAllows, ROLES } from "./roles";

describe("roles", () => {
  it("orders viewer < editor < owner", () => {
    expect(ROLES).toEqual(["viewer", "editor", "owner"]);
    expect(roleAllows("owner", "editor")).toBe(true);
    expect(roleAllows("editor", "editor")).toBe(true);
    expect(roleAllows("editor", "owner")).toBe(false);
    expect(roleAllows("viewer", "editor")).toBe(false);
    expect(roleAllows("viewer", "viewer")).toBe(true);
  });
});
