import { expect, test } from "./fixtures";
import { card, expectAccessible, gitIn, makeRepo, waitForTaskStatus } from "./helpers";

test.describe.configure({ timeout: 150_000 });

/** No member has room at first: more free memory than any machine has. */
const NO_ROOM = 16_000_000;

test("the new-task form queues a task for a pool: its card waits with the reason, then shows the member it runs on", async ({ page, request }) => {
  const origin = makeRepo("pool-origin");
  const members: { id: number; name: string; path: string }[] = [];
  for (const name of ["pool-a", "pool-b"]) {
    const path = `${origin}-${name}`;
    gitIn(origin, "clone", "-q", origin, path);
    const response = await request.post("/api/workspaces", { data: { name: `${name}-${Date.now()}`, path, minFreeMemoryMb: NO_ROOM } });
    expect(response.status()).toBe(201);
    members.push({ ...((await response.json()) as { id: number; name: string }), path });
  }
  const poolName = `clones-${Date.now()}`;
  const created = await request.post("/api/pools", { data: { name: poolName, workspaceIds: members.map((member) => member.id) } });
  expect(created.status()).toBe(201);
  const pool = (await created.json()) as { id: number };

  await page.goto("/tasks/new");
  await page.getByLabel("Workspace", { exact: true }).selectOption(`pool:${pool.id}`);
  await expect(page.getByText("The scheduler places it on the member with a free slot and the most room.")).toBeVisible();
  await page.getByLabel("Agent", { exact: true }).selectOption("claude_code");
  await page.getByLabel("Prompt").fill("Write the pooled file. FILE:pooled.txt");
  await page.getByRole("button", { name: "Queue task" }).click();
  // Until placed, it shows on its first member's board.
  await page.waitForURL(`**/workspaces/${members[0]!.id}/board`);
  const task = (await (await request.get(`/api/tasks?workspaceId=${members[0]!.id}&status=TODO&sort=queue`)).json()).items[0] as { id: number; poolId: number; workspaceId: number | null };
  expect(task).toMatchObject({ poolId: pool.id, workspaceId: null });
  await expect(card(page, task.id).getByTestId("waiting-reason")).toContainText(`Waiting for room in pool ${poolName}: memory on this machine`);
  await expect(card(page, task.id).getByTestId("pool-placement")).toHaveText(`Pool ${poolName}: waiting for a member`);
  await expectAccessible(page, "board with a pool task waiting");

  // The second member gets room: the task is placed there, runs, and its card names it.
  expect((await request.patch(`/api/workspaces/${members[1]!.id}`, { data: { minFreeMemoryMb: 0 } })).status()).toBe(200);
  await waitForTaskStatus(request, task.id, "DONE");
  await page.goto(`/workspaces/${members[1]!.id}/board`);
  await expect(card(page, task.id).getByTestId("pool-placement")).toHaveText(`Pool ${poolName}: on ${members[1]!.name} (this machine)`);
  expect(gitIn(members[1]!.path, "show", `task-${task.id}:pooled.txt`)).toContain("hello from fake model");
  // It left the first member's board.
  await page.goto(`/workspaces/${members[0]!.id}/board`);
  await expect(card(page, task.id)).toHaveCount(0);
});
