import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resetConfigForTests } from "@/server/config";
import { checkpointSaver, loadCheckpoint, removeCheckpoint, saveCheckpoint, type RunCheckpoint } from "@/server/runs/checkpoint";

const tasksDir = fs.mkdtempSync(path.join(os.tmpdir(), "ai-slave-checkpoint-"));
const saved = process.env.AI_SLAVE_TASKS_DIR;

const checkpoint = (seq: number): RunCheckpoint => ({
  runId: 7, taskId: 3, sessionName: "ai-slave-task-3", logPath: "/tmp/run-7.log", offsets: { stdout: seq * 100, stderr: 0 }, seq,
  previousCumulative: {}, deadline: "2026-12-04T12:00:00.000Z", bin: "claude", attempt: 1,
});

beforeAll(() => {
  process.env.AI_SLAVE_TASKS_DIR = tasksDir;
  resetConfigForTests();
});
afterAll(() => {
  if (saved === undefined) delete process.env.AI_SLAVE_TASKS_DIR;
  else process.env.AI_SLAVE_TASKS_DIR = saved;
  resetConfigForTests();
  fs.rmSync(tasksDir, { recursive: true, force: true });
});

describe("a run's checkpoint", () => {
  it("is the latest one saved, in a folder only its owner reads, with no temp file left", async () => {
    await saveCheckpoint(checkpoint(1));
    await saveCheckpoint(checkpoint(2));
    expect(await loadCheckpoint(7)).toEqual(checkpoint(2));
    const dir = path.join(tasksDir, "run-checkpoints");
    expect(fs.readdirSync(dir)).toEqual(["run-7.json"]);
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.join(dir, "run-7.json")).mode & 0o777).toBe(0o600);
  });

  it("is saved again after its folder went away, and gone once removed", async () => {
    fs.rmSync(path.join(tasksDir, "run-checkpoints"), { recursive: true, force: true });
    await saveCheckpoint(checkpoint(3));
    expect((await loadCheckpoint(7))?.seq).toBe(3);
    await removeCheckpoint(7);
    expect(await loadCheckpoint(7)).toBeNull();
  });

  it("fails with the file system's error where it cannot be written, and keeps the one before", async () => {
    await saveCheckpoint(checkpoint(4));
    const file = path.join(tasksDir, "run-checkpoints", "run-7.json");
    // A folder where the temp file goes: the write fails (EISDIR), the checkpoint stays at 4.
    fs.mkdirSync(`${file}.${process.pid}.tmp`);
    try {
      await expect(saveCheckpoint(checkpoint(5))).rejects.toMatchObject({ code: "EISDIR" });
      expect((await loadCheckpoint(7))?.seq).toBe(4);
    } finally {
      fs.rmdirSync(`${file}.${process.pid}.tmp`);
    }
  });

  it("is not written again while a run's output stays where it was, and is once it moves or after a failed save", async () => {
    const file = path.join(tasksDir, "run-checkpoints", "run-7.json");
    await saveCheckpoint(checkpoint(6));
    const save = checkpointSaver(checkpoint(6));
    const written = () => fs.statSync(file, { bigint: true });
    const before = written();
    // An agent that printed nothing since: offsets and seq as saved (the deadline field differs, and is not progress).
    expect(await save({ ...checkpoint(6), deadline: "2026-12-05T00:00:00.000Z" })).toBe(false);
    expect(await save(checkpoint(6))).toBe(false);
    expect(written().ino).toBe(before.ino);
    expect(written().mtimeNs).toBe(before.mtimeNs);

    // A line on stderr only: its offset moved, so it is saved.
    const stderrLine = { ...checkpoint(6), offsets: { stdout: 600, stderr: 40 } };
    expect(await save(stderrLine)).toBe(true);
    expect(await loadCheckpoint(7)).toEqual(stderrLine);
    expect(await save(stderrLine)).toBe(false);

    // A save that fails is tried again by the next one with the same progress.
    fs.mkdirSync(`${file}.${process.pid}.tmp`);
    try {
      await expect(save(checkpoint(8))).rejects.toMatchObject({ code: "EISDIR" });
    } finally {
      fs.rmdirSync(`${file}.${process.pid}.tmp`);
    }
    expect(await save(checkpoint(8))).toBe(true);
    expect((await loadCheckpoint(7))?.seq).toBe(8);
  });
});
