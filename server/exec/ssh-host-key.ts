/**
 * Host key checking for SSH workspaces: a host listed in ~/.ssh/known_hosts must present the key
 * listed there; a host that is not listed is pinned on first use (trust on first use) and must
 * present the same key ever after. A changed key is refused, never silently accepted; so is a key
 * marked `@revoked`, and a host under a `@cert-authority` line (certificates are not verified here)
 * is refused rather than trusted on first use.
 */
import { createHash, createHmac } from "node:crypto";
import { readFile } from "node:fs/promises";

/** What is remembered about a host's key. */
export interface PinnedHostKey {
  /** `SHA256:<base64>` as `ssh-keygen -lf` prints it. */
  fingerprint: string;
  /** The key type from the key blob, e.g. `ssh-ed25519`. */
  keyType: string;
  /** Base64 of the key blob. */
  key: string;
  pinnedAt: string;
}

/** Where pinned keys are kept, by `host:port` (the Setting table in the app, a map in tests). */
export interface HostKeyStore {
  get(hostPort: string): Promise<PinnedHostKey | null>;
  set(hostPort: string, value: PinnedHostKey): Promise<void>;
}

export type HostKeyVerdict =
  | { ok: true; source: "known_hosts" | "pinned" | "pinned_now"; fingerprint: string }
  | { ok: false; reason: string; fingerprint: string };

export function fingerprintOf(keyBlob: Buffer): string {
  return `SHA256:${createHash("sha256").update(keyBlob).digest("base64").replace(/=+$/, "")}`;
}

/** The key type written at the start of an SSH public key blob. */
export function keyTypeOf(keyBlob: Buffer): string {
  if (keyBlob.length < 4) return "unknown";
  const length = keyBlob.readUInt32BE(0);
  return keyBlob.subarray(4, 4 + length).toString("latin1");
}

/** How known_hosts and our store name a host: `host` on port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function hostPatternMatches(pattern: string, name: string): boolean {
  if (pattern.startsWith("|1|")) {
    const [, , salt, hash] = pattern.split("|");
    if (!salt || !hash) return false;
    const digest = createHmac("sha1", Buffer.from(salt, "base64")).update(name).digest("base64");
    return digest === hash;
  }
  const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "i");
  return regex.test(name);
}

export interface KnownHostsEntries {
  /** Keys listed for the host (base64 blobs). */
  keys: string[];
  /** Keys marked `@revoked` for the host: never accepted, whatever else says so. */
  revoked: string[];
  /** Whether a `@cert-authority` line names the host: host certificates are not verified here. */
  certAuthority: boolean;
}

/** What known_hosts says about a host. A negated pattern (`!host`) excludes its line. */
export function knownHostsEntries(knownHostsText: string, host: string, port: number): KnownHostsEntries {
  const name = knownHostsName(host, port);
  const entries: KnownHostsEntries = { keys: [], revoked: [], certAuthority: false };
  for (const raw of knownHostsText.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const fields = line.split(/\s+/);
    const marker = fields[0]!.startsWith("@") ? fields.shift()! : null;
    const [hosts, , key] = fields;
    if (!hosts || !key) continue;
    const patterns = hosts.split(",");
    const negated = patterns.some((pattern) => pattern.startsWith("!") && hostPatternMatches(pattern.slice(1), name));
    if (negated || !patterns.some((pattern) => !pattern.startsWith("!") && hostPatternMatches(pattern, name))) continue;
    if (marker === "@revoked") entries.revoked.push(key);
    else if (marker === "@cert-authority") entries.certAuthority = true;
    else if (marker === null) entries.keys.push(key);
  }
  return entries;
}

/** The plain keys known_hosts lists for a host; an empty list when the host is not in it. */
export function knownHostKeys(knownHostsText: string, host: string, port: number): string[] {
  return knownHostsEntries(knownHostsText, host, port).keys;
}

async function readKnownHosts(file: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch {
    return "";
  }
}

export interface VerifyHostKeyInput {
  host: string;
  port: number;
  keyBlob: Buffer;
  knownHostsFile: string;
  store: HostKeyStore;
}

/** Decides whether to trust the key a host presented; pins it when the host is new. */
export async function verifyHostKey(input: VerifyHostKeyInput): Promise<HostKeyVerdict> {
  const { host, port, keyBlob, store } = input;
  const presented = keyBlob.toString("base64");
  const fingerprint = fingerprintOf(keyBlob);
  const { keys: listed, revoked, certAuthority } = knownHostsEntries(await readKnownHosts(input.knownHostsFile), host, port);
  if (revoked.includes(presented)) {
    return {
      ok: false,
      fingerprint,
      reason: `The host key of ${knownHostsName(host, port)} (${fingerprint}) is marked @revoked in ${input.knownHostsFile}. Connection refused; the host needs a new key.`,
    };
  }
  if (listed.length > 0) {
    if (listed.includes(presented)) return { ok: true, source: "known_hosts", fingerprint };
    return {
      ok: false,
      fingerprint,
      reason: `The host key of ${knownHostsName(host, port)} does not match ${input.knownHostsFile} (presented ${fingerprint}). It may have been reinstalled, or someone may be intercepting the connection; fix known_hosts if the change is expected.`,
    };
  }
  if (certAuthority) {
    return {
      ok: false,
      fingerprint,
      reason: `${input.knownHostsFile} names a @cert-authority for ${knownHostsName(host, port)}, and AI-Slave does not verify host certificates: it will not fall back to trusting the key on first use. Add the host's own key (ssh-keyscan) to known_hosts. Presented ${fingerprint}.`,
    };
  }
  const pinned = await store.get(`${host}:${port}`);
  if (pinned) {
    if (pinned.key === presented) return { ok: true, source: "pinned", fingerprint };
    return {
      ok: false,
      fingerprint,
      reason: `The host key of ${knownHostsName(host, port)} changed: pinned ${pinned.fingerprint} on ${pinned.pinnedAt}, presented ${fingerprint}. Connection refused; forget the pinned key if the change is expected.`,
    };
  }
  await store.set(`${host}:${port}`, { fingerprint, keyType: keyTypeOf(keyBlob), key: presented, pinnedAt: new Date().toISOString() });
  return { ok: true, source: "pinned_now", fingerprint };
}
