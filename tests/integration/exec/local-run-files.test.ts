/**
 * A detached run's files on this machine, written by the server itself (no mkdir, chmod or cat
 * process on the way to the agent's start) under the launch script's rules: a private folder the
 * server's user owns, files of mode 0600, an earlier launch's status files gone.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { detachedFiles } from "@/server/exec/detached-scripts";
import { waitForAgentPid, writeRunFiles } from "@/server/exec/local-run-files";

let root: string;
const contents = { env: "export SECRET='s3cr3t'\n", prompt: "the prompt\n", script: "echo run\n" };
const mode = (file: string) => fs.statSync(file).mode & 0o777;

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "ai-slave-run-files-"));
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe("writeRunFiles", () => {
  it("makes a private run folder and writes each file with mode 0600, the logs empty", async () => {
    const files = detachedFiles(path.join(root, "a", ".ai-slave", "task-1", "run-1.log"));
    await writeRunFiles(files, contents);
    expect(mode(files.dir)).toBe(0o700);
    expect(mode(path.dirname(files.dir))).toBe(0o700);
    for (const file of [files.env, files.prompt, files.script, files.out, files.err]) expect(mode(file)).toBe(0o600);
    expect(fs.readFileSync(files.env, "utf8")).toBe(contents.env);
    expect(fs.readFileSync(files.prompt, "utf8")).toBe(contents.prompt);
    expect(fs.readFileSync(files.script, "utf8")).toBe(contents.script);
    expect(fs.readFileSync(files.out, "utf8")).toBe("");
  });

  it("tightens a folder and files left open by someone, and clears an earlier launch's status files and logs", async () => {
    const files = detachedFiles(path.join(root, "b", ".ai-slave", "task-1", "run-1.log"));
    fs.mkdirSync(files.dir, { recursive: true, mode: 0o777 });
    fs.chmodSync(files.dir, 0o777);
    fs.chmodSync(path.dirname(files.dir), 0o755);
    for (const file of [files.exit, files.pid, files.agentPid]) fs.writeFileSync(file, "1\n");
    fs.writeFileSync(files.env, "export OLD=1\nexport MORE=2\n", { mode: 0o644 });
    fs.chmodSync(files.env, 0o644);
    fs.writeFileSync(files.out, "an earlier launch's output\n");
    await writeRunFiles(files, contents);
    expect(mode(files.dir)).toBe(0o700);
    expect(mode(path.dirname(files.dir))).toBe(0o700);
    expect(mode(files.env)).toBe(0o600);
    expect(fs.readFileSync(files.env, "utf8")).toBe(contents.env);
    expect(fs.readFileSync(files.out, "utf8")).toBe("");
    for (const file of [files.exit, files.pid, files.agentPid]) expect(fs.existsSync(file)).toBe(false);
  });

  it("refuses a run folder that another user owns, writing nothing there", async () => {
    // As root, a folder given to nobody; as anyone else, a folder under /tmp, which root owns.
    const asRoot = process.getuid?.() === 0;
    const parent = asRoot ? path.join(root, "c", ".ai-slave") : fs.mkdtempSync("/tmp/ai-slave-run-files-");
    const dir = asRoot ? path.join(parent, "task-1") : parent;
    fs.mkdirSync(dir, { recursive: true });
    if (asRoot) fs.chownSync(parent, 65534, 65534);
    const files = detachedFiles(path.join(dir, "run-1.log"));
    await expect(writeRunFiles(files, contents)).rejects.toThrow(/is not owned by .*: refusing to write there/);
    expect(fs.existsSync(files.env)).toBe(false);
    if (!asRoot) fs.rmSync(parent, { recursive: true, force: true });
  });
});

describe("waitForAgentPid", () => {
  it("waits for the agent's pid file, and says '' for an agent that ended at once", async () => {
    const files = detachedFiles(path.join(root, "d", "run-1.log"));
    await writeRunFiles(files, contents);
    setTimeout(() => {
      fs.writeFileSync(files.pid, "100\n");
      fs.writeFileSync(files.agentPid, "101\n");
    }, 60);
    expect(await waitForAgentPid(files)).toBe("101");
    fs.rmSync(files.agentPid);
    fs.writeFileSync(files.exit, "0\n");
    expect(await waitForAgentPid(files)).toBe("");
  });

  it("is an error when the run script never started, and the environment file goes", async () => {
    const files = detachedFiles(path.join(root, "e", "run-1.log"));
    await writeRunFiles(files, contents);
    await expect(waitForAgentPid(files, 100)).rejects.toThrow("the run script did not start in tmux");
    expect(fs.existsSync(files.env)).toBe(false);
  });
});
