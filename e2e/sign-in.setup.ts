import { expect, test as setup } from "@playwright/test";
import { OWNER, OWNER_STATE } from "./accounts";

/** Signs in as the owner through the sign-in page once; the specs reuse the session cookie. */
setup("sign in as the owner", async ({ page }) => {
  await page.goto("/pipelines");
  await expect(page).toHaveURL(/\/sign-in\?next=%2Fpipelines$/);
  await page.getByLabel("Email").fill(OWNER.email);
  await page.getByLabel("Password").fill(OWNER.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Pipelines" })).toBeVisible();
  await page.context().storageState({ path: OWNER_STATE });
});
