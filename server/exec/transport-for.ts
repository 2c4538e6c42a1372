import "server-only";
import { existsSync } from "node:fs";
import os from "node:os";
import type { Workspace } from "@/server/db/generated/client";
import { unprocessable } from "@/lib/errors";
import { LOGIN_SHELLS, type LoginShell } from "@/lib/enums";
import { config } from "@/server/config";
import { LocalTransport } from "./local";
import { settingsHostKeyStore } from "./ssh-host-key-store";
import { SshPool, sshPool, type SshEndpoint } from "./ssh-pool";
import { SshTransport } from "./ssh-transport";
import type { Transport } from "./transport";

export type TransportWorkspace = Pick<Workspace, "type" | "host" | "port" | "user" | "identityFile" | "containerName" | "loginShell">;

/** The process-wide SSH pool; pinned host keys go to the Setting table. */
export function appSshPool(): SshPool {
  return sshPool(() => new SshPool({ hostKeyStore: settingsHostKeyStore }));
}

/** The transport that reaches a workspace's machine. */
export function transportFor(workspace: TransportWorkspace): Transport {
  if (workspace.type === "local") return localTransport(workspace.loginShell);
  if (workspace.type === "ssh" || workspace.type === "ssh_container") return sshTransportFor(workspace);
  throw unprocessable("workspace_type", `Workspaces of type ${workspace.type} cannot be reached by this server.`);
}

/** Where a remote workspace's SSH connection goes: port 22 and this server's user by default. */
export function endpointFor(workspace: TransportWorkspace): SshEndpoint {
  if (!workspace.host) throw unprocessable("workspace_host", "This workspace has no host.");
  return { host: workspace.host, port: workspace.port ?? 22, user: workspace.user ?? os.userInfo().username, identityFile: workspace.identityFile };
}

export function sshTransportFor(workspace: TransportWorkspace): SshTransport {
  if (workspace.type === "ssh_container" && !workspace.containerName) throw unprocessable("workspace_container", "This workspace has no container name.");
  const shell: LoginShell = (LOGIN_SHELLS as readonly string[]).includes(workspace.loginShell) ? (workspace.loginShell as LoginShell) : "bash";
  return new SshTransport(appSshPool(), {
    endpoint: endpointFor(workspace),
    shell,
    container: workspace.type === "ssh_container" ? workspace.containerName : null,
  });
}

/** This machine; new tmux sessions (the terminal's) start the workspace's login shell when it is installed. */
export function localTransport(loginShell = "bash"): Transport {
  const shell = `/bin/${loginShell === "zsh" ? "zsh" : "bash"}`;
  return new LocalTransport({ shell: existsSync(shell) ? shell : "/bin/sh", projectRoot: config().projectRoot });
}
