import { describe, expect, it } from "vitest";
import { passwordProblem } from "./passwords";

describe("new passwords", () => {
  it("need at least 12 characters", () => {
    expect(passwordProblem("short pass")).toMatch(/at least 12 characters/);
    expect(passwordProblem("twelve chars")).toBeNull();
  });

  it("are refused when they are on the common-password list, whatever their case", () => {
    expect(passwordProblem("qwerty123456")).toMatch(/commonly used/);
    expect(passwordProblem("QWERTY123456")).toMatch(/commonly used/);
    expect(passwordProblem("1q2w3e4r5t6y")).toMatch(/commonly used/);
  });

  it("are accepted when long and uncommon", () => {
    expect(passwordProblem("correct horse battery staple")).toBeNull();
  });
});
