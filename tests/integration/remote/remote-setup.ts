/**
 * Shared setup of the remote tests: a real sshd on 127.0.0.1, optionally a private dockerd
 * with a running container, and SSH transports pointed at them through a fresh pool.
 */
import fs from "node:fs";
import path from "node:path";
import type { HostKeyStore, PinnedHostKey } from "@/server/exec/ssh-host-key";
import { SshPool, setSshPool, type SshEndpoint } from "@/server/exec/ssh-pool";
import { SshTransport } from "@/server/exec/ssh-transport";
import type { LoginShell } from "@/lib/enums";
import { startDocker, type DockerFixture } from "../../fixtures/docker";
import { startSshd, type SshdFixture } from "../../fixtures/sshd";

export class MemoryHostKeyStore implements HostKeyStore {
  readonly keys = new Map<string, PinnedHostKey>();
  async get(hostPort: string) {
    return this.keys.get(hostPort) ?? null;
  }
  async set(hostPort: string, value: PinnedHostKey) {
    this.keys.set(hostPort, value);
  }
}

export interface RemoteSetup {
  sshd: SshdFixture;
  docker: DockerFixture | null;
  /** Why docker-dependent tests are skipped, when they are. */
  dockerSkip: string | null;
  pool: SshPool;
  endpoint: SshEndpoint;
  knownHostsFile: string;
  transport(shell?: LoginShell, container?: string | null): SshTransport;
  stop(): Promise<void>;
}

/** `sessionEnv`: the host's login environment (the agents' config dirs there, say). */
export async function startRemoteSetup(options: { docker: boolean; sessionEnv?: Record<string, string> }): Promise<RemoteSetup> {
  let docker: DockerFixture | null = null;
  let dockerSkip: string | null = null;
  if (options.docker) {
    const started = await startDocker();
    if (started.ok) docker = started.fixture;
    // CI sets REQUIRE_DOCKER=1: there a green run means the container path ran.
    else if (process.env.REQUIRE_DOCKER === "1") throw new Error(`Docker is required (REQUIRE_DOCKER=1) but could not start: ${started.reason}`);
    else dockerSkip = started.reason;
  }
  const sshd = await startSshd({ sessionEnv: { ...options.sessionEnv, ...(docker ? { DOCKER_HOST: docker.dockerHost } : {}) } });
  const knownHostsFile = path.join(sshd.dir, "known_hosts_empty");
  fs.writeFileSync(knownHostsFile, "");
  const pool = new SshPool({ hostKeyStore: new MemoryHostKeyStore(), knownHostsFile });
  setSshPool(pool);
  const endpoint: SshEndpoint = { host: sshd.host, port: sshd.port, user: sshd.user, identityFile: sshd.identityFile };
  return {
    sshd,
    docker,
    dockerSkip,
    pool,
    endpoint,
    knownHostsFile,
    transport: (shell = "bash", container = null) => new SshTransport(pool, { endpoint, shell, container }),
    async stop() {
      setSshPool(undefined);
      await sshd.stop();
      await docker?.stop();
    },
  };
}
