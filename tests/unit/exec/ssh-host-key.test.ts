import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fingerprintOf, knownHostKeys, knownHostsEntries, verifyHostKey, type HostKeyStore, type PinnedHostKey } from "@/server/exec/ssh-host-key";
import { MarkerStripper } from "@/server/exec/ssh-stream";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "host-key-test-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function makeKey(name: string): { type: string; blob: string } {
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", path.join(dir, name)]);
  const [type, blob] = fs.readFileSync(path.join(dir, `${name}.pub`), "utf8").split(" ");
  return { type: type!, blob: blob! };
}

const key = makeKey("a");
const other = makeKey("b");

function memoryStore(): HostKeyStore & { keys: Map<string, PinnedHostKey> } {
  const keys = new Map<string, PinnedHostKey>();
  return { keys, get: async (hostPort) => keys.get(hostPort) ?? null, set: async (hostPort, value) => void keys.set(hostPort, value) };
}

describe("known_hosts", () => {
  it("finds plain, bracketed-port, wildcard and ssh-keygen -H hashed entries", () => {
    const file = path.join(dir, "known_hosts");
    fs.writeFileSync(file, [`plain.example,10.0.0.1 ${key.type} ${key.blob}`, `[port.example]:2222 ${key.type} ${key.blob}`, `*.wild.example ${other.type} ${other.blob}`, `hashed.example ${other.type} ${other.blob}`, ""].join("\n"));
    execFileSync("ssh-keygen", ["-q", "-H", "-f", file], { stdio: "pipe" });
    const text = fs.readFileSync(file, "utf8");
    expect(text).not.toContain("hashed.example");
    expect(knownHostKeys(text, "plain.example", 22)).toEqual([key.blob]);
    expect(knownHostKeys(text, "10.0.0.1", 22)).toEqual([key.blob]);
    expect(knownHostKeys(text, "port.example", 2222)).toEqual([key.blob]);
    expect(knownHostKeys(text, "port.example", 22)).toEqual([]);
    expect(knownHostKeys(text, "hashed.example", 22)).toEqual([other.blob]);
    expect(knownHostKeys(`*.wild.example ${other.type} ${other.blob}\n`, "a.wild.example", 22)).toEqual([other.blob]);
    expect(knownHostKeys(`@revoked plain.example ${key.type} ${key.blob}\n`, "plain.example", 22)).toEqual([]);
  });

  it("prints fingerprints as ssh-keygen -l does", () => {
    const printed = execFileSync("ssh-keygen", ["-l", "-f", path.join(dir, "a.pub")]).toString().split(" ")[1];
    expect(fingerprintOf(Buffer.from(key.blob, "base64"))).toBe(printed);
  });
});

describe("verifyHostKey", () => {
  const empty = path.join(dir, "empty_known_hosts");
  fs.writeFileSync(empty, "");

  it("pins an unknown host's key, then accepts only that key", async () => {
    const store = memoryStore();
    const first = await verifyHostKey({ host: "h", port: 22, keyBlob: Buffer.from(key.blob, "base64"), knownHostsFile: empty, store });
    expect(first).toMatchObject({ ok: true, source: "pinned_now" });
    expect(store.keys.get("h:22")).toMatchObject({ key: key.blob, keyType: "ssh-ed25519" });
    expect(await verifyHostKey({ host: "h", port: 22, keyBlob: Buffer.from(key.blob, "base64"), knownHostsFile: empty, store })).toMatchObject({ ok: true, source: "pinned" });
    const changed = await verifyHostKey({ host: "h", port: 22, keyBlob: Buffer.from(other.blob, "base64"), knownHostsFile: empty, store });
    expect(changed.ok).toBe(false);
    expect(changed.ok ? "" : changed.reason).toMatch(/The host key of h changed/);
  });

  it("lets known_hosts decide for the hosts it lists", async () => {
    const file = path.join(dir, "kh");
    fs.writeFileSync(file, `[h]:2200 ${key.type} ${key.blob}\n`);
    const store = memoryStore();
    expect(await verifyHostKey({ host: "h", port: 2200, keyBlob: Buffer.from(key.blob, "base64"), knownHostsFile: file, store })).toMatchObject({ ok: true, source: "known_hosts" });
    expect((await verifyHostKey({ host: "h", port: 2200, keyBlob: Buffer.from(other.blob, "base64"), knownHostsFile: file, store })).ok).toBe(false);
    expect(store.keys.size).toBe(0);
  });
});

describe("@revoked and @cert-authority", () => {
  it("reads the markers for the host they name", () => {
    const text = [`@revoked plain.example ${key.type} ${key.blob}`, `@cert-authority *.corp.example ${other.type} ${other.blob}`, `plain.example ${other.type} ${other.blob}`, ""].join("\n");
    expect(knownHostsEntries(text, "plain.example", 22)).toEqual({ keys: [other.blob], revoked: [key.blob], certAuthority: false });
    expect(knownHostsEntries(text, "db.corp.example", 22)).toEqual({ keys: [], revoked: [], certAuthority: true });
  });

  it("refuses a revoked key even when it is pinned already or listed as well", async () => {
    const file = path.join(dir, "kh-revoked");
    const store = memoryStore();
    expect(await verifyHostKey({ host: "r", port: 22, keyBlob: Buffer.from(key.blob, "base64"), knownHostsFile: empty(), store })).toMatchObject({ ok: true, source: "pinned_now" });
    fs.writeFileSync(file, `@revoked r ${key.type} ${key.blob}\nr ${key.type} ${key.blob}\n`);
    const verdict = await verifyHostKey({ host: "r", port: 22, keyBlob: Buffer.from(key.blob, "base64"), knownHostsFile: file, store });
    expect(verdict.ok).toBe(false);
    expect(verdict.ok ? "" : verdict.reason).toMatch(/marked @revoked/);
    // Another host's revocation does not touch this one.
    fs.writeFileSync(file, `@revoked elsewhere ${key.type} ${key.blob}\n`);
    expect(await verifyHostKey({ host: "r", port: 22, keyBlob: Buffer.from(key.blob, "base64"), knownHostsFile: file, store })).toMatchObject({ ok: true, source: "pinned" });
  });

  it("refuses a host under a @cert-authority line instead of pinning it, unless its own key is listed", async () => {
    const file = path.join(dir, "kh-ca");
    fs.writeFileSync(file, `@cert-authority *.corp.example ${other.type} ${other.blob}\n`);
    const store = memoryStore();
    const verdict = await verifyHostKey({ host: "db.corp.example", port: 22, keyBlob: Buffer.from(key.blob, "base64"), knownHostsFile: file, store });
    expect(verdict.ok).toBe(false);
    expect(verdict.ok ? "" : verdict.reason).toMatch(/@cert-authority .*does not verify host certificates/);
    expect(store.keys.size).toBe(0);
    fs.appendFileSync(file, `db.corp.example ${key.type} ${key.blob}\n`);
    expect(await verifyHostKey({ host: "db.corp.example", port: 22, keyBlob: Buffer.from(key.blob, "base64"), knownHostsFile: file, store })).toMatchObject({ ok: true, source: "known_hosts" });
  });
});

function empty(): string {
  const file = path.join(dir, "empty-kh");
  fs.writeFileSync(file, "");
  return file;
}

describe("MarkerStripper", () => {
  it("drops a login banner before the marker, reads the pid, passes the rest through, across chunk borders", () => {
    const stripper = new MarkerStripper();
    const parts = ["welcome!\n\u001eAI-SL", "AVE:4242", "\u001eout", "put\n"].map((part) => stripper.push(Buffer.from(part)));
    expect(Buffer.concat(parts).toString()).toBe("output\n");
    expect(stripper.pid).toBe(4242);
  });
});
