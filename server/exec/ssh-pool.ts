/**
 * SSH connections shared by the whole process: one connection per host (user, port and key),
 * reused by every command, with keep-alive; a dropped one is reconnected on next use. OpenSSH
 * allows 10 sessions per connection (MaxSessions), so past SLOTS_PER_CONNECTION open channels
 * a second connection to the same host is opened rather than failing.
 */
import { readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Client, type ClientChannel, type ConnectConfig, type PseudoTtyOptions } from "ssh2";
import { peekSingleton, processSingleton, setSingleton } from "../singleton";
import { verifyHostKey, type HostKeyStore, type HostKeyVerdict } from "./ssh-host-key";

export interface SshEndpoint {
  host: string;
  port: number;
  user: string;
  /** A private key file on this server; without it the ssh agent (SSH_AUTH_SOCK) is used. */
  identityFile: string | null;
}

export interface SshPoolOptions {
  hostKeyStore: HostKeyStore;
  knownHostsFile?: string;
  keepaliveIntervalMs?: number;
  readyTimeoutMs?: number;
  /** A connection with no open channel is closed after this long. */
  idleCloseMs?: number;
}

const SLOTS_PER_CONNECTION = 8;
/** Waits before asking again for a session the host refused (about 1.6 s in all). */
const SESSION_REFUSED_DELAYS_MS = [10, 25, 50, 100, 200, 400, 800];

export class SshError extends Error {
  constructor(message: string, readonly code: "connect" | "host_key" | "auth" | "channel") {
    super(message);
    this.name = "SshError";
  }
}

/** How a command on a channel ended, as the host said: its exit code, or the signal that ended it. */
export interface ChannelExit {
  code: number | null;
  signal: string | null;
}

const channelExits = new WeakMap<ClientChannel, ChannelExit>();

/**
 * The exit status the host sent on a channel from SshPool.exec, or null when it sent none (yet).
 * Recorded from the moment the channel opens: a fast command's status can arrive in the same read
 * as the reply to exec, and ssh2 emits it before the caller's `await` resumes to listen.
 */
export function channelExit(channel: ClientChannel): ChannelExit | null {
  return channelExits.get(channel) ?? null;
}

export function endpointName(endpoint: SshEndpoint): string {
  return `${endpoint.user}@${endpoint.host}:${endpoint.port}`;
}

/** One SSH connection and the channels open on it. */
class SshConnection {
  private client: Client | null = null;
  private connecting: Promise<Client> | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  active = 0;
  lastHostKey: HostKeyVerdict | null = null;

  constructor(private readonly endpoint: SshEndpoint, private readonly options: Required<SshPoolOptions>) {}

  get connected(): boolean {
    return this.client !== null;
  }

  private async connect(): Promise<Client> {
    if (this.client) return this.client;
    this.connecting ??= this.open().finally(() => (this.connecting = null));
    return this.connecting;
  }

  private async open(): Promise<Client> {
    const config = await this.connectConfig();
    const client = new Client();
    let refusal: string | null = null;
    config.hostVerifier = (key: Buffer, verify: (ok: boolean) => void) => {
      void verifyHostKey({ host: this.endpoint.host, port: this.endpoint.port, keyBlob: key, knownHostsFile: this.options.knownHostsFile, store: this.options.hostKeyStore })
        .then((verdict) => {
          this.lastHostKey = verdict;
          if (!verdict.ok) refusal = verdict.reason;
          verify(verdict.ok);
        })
        .catch((error: unknown) => {
          refusal = `Host key check failed: ${String(error)}`;
          verify(false);
        });
    };
    await new Promise<void>((resolve, reject) => {
      client.once("ready", () => resolve());
      client.once("error", (error: Error & { level?: string }) => reject(this.describe(error, refusal)));
      client.connect(config);
      // Without it, Nagle's algorithm held each command's small packets until the host's delayed
      // ACK: 56 ms for `true` through the transport against 11 ms with it (bench/README.md).
      client.setNoDelay(true);
    });
    client.on("error", (error) => console.error(`[ssh] ${endpointName(this.endpoint)}: ${error.message}`));
    client.on("close", () => {
      if (this.client === client) this.client = null;
    });
    this.client = client;
    return client;
  }

  private async connectConfig(): Promise<ConnectConfig> {
    const { host, port, user, identityFile } = this.endpoint;
    const config: ConnectConfig = {
      host,
      port,
      username: user,
      keepaliveInterval: this.options.keepaliveIntervalMs,
      keepaliveCountMax: 3,
      readyTimeout: this.options.readyTimeoutMs,
    };
    if (identityFile) {
      try {
        config.privateKey = await readFile(identityFile);
      } catch (error) {
        throw new SshError(`Cannot read the key file ${identityFile}: ${(error as Error).message}`, "auth");
      }
    } else if (process.env.SSH_AUTH_SOCK) {
      config.agent = process.env.SSH_AUTH_SOCK;
    } else {
      throw new SshError(`No key file is set for ${endpointName(this.endpoint)} and no ssh agent is running (SSH_AUTH_SOCK is unset).`, "auth");
    }
    return config;
  }

  private describe(error: Error & { level?: string }, refusal: string | null): SshError {
    const where = endpointName(this.endpoint);
    if (refusal) return new SshError(`SSH to ${where} refused: ${refusal}`, "host_key");
    if (error.level === "client-authentication") return new SshError(`SSH to ${where}: authentication failed (${error.message}).`, "auth");
    return new SshError(`SSH to ${where} failed: ${error.message}`, "connect");
  }

  /**
   * Opens an exec channel; one retry on a fresh connection when the old one turned out dead, and
   * a few, a moment apart, when the host refused the session: OpenSSH counts a session against
   * MaxSessions until its loop has freed it, a moment after the channel closed, so a command
   * started as another ended can be refused while there is room (12% of 400 such starts, 8 at a
   * time, were refused before these retries).
   */
  async exec(command: string, pty?: PseudoTtyOptions): Promise<ClientChannel> {
    this.claimSlot();
    try {
      return await this.openChannel(command, pty);
    } catch (error) {
      this.releaseSlot();
      throw error;
    }
  }

  private async openChannel(command: string, pty: PseudoTtyOptions | undefined): Promise<ClientChannel> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await this.tryExec(command, pty);
      } catch (error) {
        if (error instanceof SshError) throw error;
        // A refused channel or command ("Unable to exec") says the connection works: closing it
        // would drop every other command running on it. Only a connection that is gone is replaced.
        if (!this.client || /not connected|no response/i.test(String(error))) {
          this.destroy();
          return this.tryExec(command, pty);
        }
        const delay = SESSION_REFUSED_DELAYS_MS[attempt];
        if (delay === undefined || !/channel open failure/i.test(String(error))) throw new SshError(`SSH to ${endpointName(this.endpoint)}: ${String(error)}`, "channel");
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  private async tryExec(command: string, pty?: PseudoTtyOptions): Promise<ClientChannel> {
    const client = await this.connect();
    return new Promise((resolve, reject) => {
      const callback = (error: Error | undefined, channel: ClientChannel) => {
        if (error) return reject(error);
        // Here, not after the caller's await: the status and the close may be in the same read.
        channel.once("exit", (code: number | null, signal?: string) => channelExits.set(channel, { code: typeof code === "number" ? code : null, signal: signal ?? null }));
        channel.once("close", () => this.releaseSlot());
        resolve(channel);
      };
      if (pty) client.exec(command, { pty }, callback);
      else client.exec(command, callback);
    });
  }

  private claimSlot(): void {
    this.active += 1;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }

  private releaseSlot(): void {
    this.active -= 1;
    if (this.active > 0) return;
    this.idleTimer = setTimeout(() => this.destroy(), this.options.idleCloseMs);
    this.idleTimer.unref();
  }

  destroy(): void {
    const client = this.client;
    this.client = null;
    client?.destroy();
  }
}

/** Every SSH connection of the process, grouped by endpoint. */
export class SshPool {
  private readonly connections = new Map<string, SshConnection[]>();
  private readonly options: Required<SshPoolOptions>;

  constructor(options: SshPoolOptions) {
    this.options = {
      knownHostsFile: path.join(os.homedir(), ".ssh", "known_hosts"),
      keepaliveIntervalMs: 15_000,
      readyTimeoutMs: 20_000,
      idleCloseMs: 5 * 60_000,
      ...options,
    };
  }

  private key(endpoint: SshEndpoint): string {
    return `${endpointName(endpoint)}#${endpoint.identityFile ?? "agent"}`;
  }

  /** The least busy connection with a free slot, or a new one. */
  private pick(endpoint: SshEndpoint): SshConnection {
    const list = this.connections.get(this.key(endpoint)) ?? [];
    this.connections.set(this.key(endpoint), list);
    const free = list.filter((connection) => connection.active < SLOTS_PER_CONNECTION).sort((a, b) => Number(b.connected) - Number(a.connected) || a.active - b.active)[0];
    if (free) return free;
    const fresh = new SshConnection(endpoint, this.options);
    list.push(fresh);
    return fresh;
  }

  /** Runs `command` (a line for the account's shell) on a channel of its own. */
  exec(endpoint: SshEndpoint, command: string, pty?: PseudoTtyOptions): Promise<ClientChannel> {
    return this.pick(endpoint).exec(command, pty);
  }

  /** The host key check of the last connection to the endpoint, if one was made. */
  hostKeyOf(endpoint: SshEndpoint): HostKeyVerdict | null {
    return this.connections.get(this.key(endpoint))?.find((connection) => connection.lastHostKey)?.lastHostKey ?? null;
  }

  /** Closes every connection (shutdown, tests, a simulated network drop). */
  destroyAll(): void {
    for (const list of this.connections.values()) for (const connection of list) connection.destroy();
  }
}

/**
 * The process's pool: route handlers, the executor and the terminal WebSocket in server.ts live
 * in different module graphs and must share it. Created on first use.
 */
export function sshPool(create: () => SshPool): SshPool {
  return processSingleton("ssh-pool", create);
}

/** Replaces the process's pool (tests point it at their own known_hosts and key store). */
export function setSshPool(pool: SshPool | undefined): void {
  peekSingleton<SshPool>("ssh-pool")?.destroyAll();
  setSingleton("ssh-pool", pool);
}
