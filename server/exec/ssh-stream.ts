/**
 * One remote command on an SSH channel, as bytes: stdin in, stdout and stderr out separately,
 * the exit status at the end. The stdout marker the exec script prints is taken out here.
 */
import type { ClientChannel } from "ssh2";
import { STDOUT_MARKER_END, STDOUT_MARKER_START } from "./quote";
import type { SshEndpoint, SshPool } from "./ssh-pool";
import { channelExit, endpointName, SshError } from "./ssh-pool";

const START = Buffer.from(STDOUT_MARKER_START, "utf8");
const END = Buffer.from(STDOUT_MARKER_END, "utf8");

/**
 * Drops what stdout carries before the marker (a login profile's banner) and reads the pid in
 * it. Until the marker is seen, output is held back; without a marker there is no command
 * output at all (the script failed before it).
 */
export class MarkerStripper {
  private held: Buffer[] = [];
  private found = false;
  pid: number | null = null;

  push(chunk: Buffer): Buffer {
    if (this.found) return chunk;
    this.held.push(chunk);
    const all = Buffer.concat(this.held);
    const start = all.indexOf(START);
    if (start === -1) return Buffer.alloc(0);
    const end = all.indexOf(END, start + START.length);
    if (end === -1) return Buffer.alloc(0);
    this.found = true;
    this.held = [];
    const pid = Number(all.subarray(start + START.length, end).toString("latin1"));
    this.pid = Number.isInteger(pid) && pid > 0 ? pid : null;
    return all.subarray(end + END.length);
  }
}

export interface RawExit {
  exitCode: number | null;
  signal: string | null;
  /** The channel closed without an exit status: the connection dropped. */
  lost: boolean;
}

export interface RawStreamOptions {
  stdin?: string | Buffer;
  /** Leave stdin open (a terminal); otherwise it is ended after `stdin`. */
  keepStdinOpen?: boolean;
  stripMarker?: boolean;
  onStdout(chunk: Buffer): void;
  onStderr(chunk: Buffer): void;
}

export interface RawStream {
  channel: ClientChannel;
  /** The pid printed in the marker, once stdout carried it. */
  pid(): number | null;
  exited: Promise<RawExit>;
}

/** Opens a channel running `commandLine` and wires its streams. Rejects when SSH itself fails. */
export async function openRawStream(pool: SshPool, endpoint: SshEndpoint, commandLine: string, options: RawStreamOptions): Promise<RawStream> {
  const channel = await pool.exec(endpoint, commandLine);
  const stripper = options.stripMarker ? new MarkerStripper() : null;
  channel.on("data", (chunk: Buffer) => {
    const data = stripper ? stripper.push(chunk) : chunk;
    if (data.length > 0) options.onStdout(data);
  });
  channel.stderr.on("data", (chunk: Buffer) => options.onStderr(chunk));
  // A remote that exits without reading its stdin closes it: not our failure.
  channel.on("error", () => undefined);
  const exited = new Promise<RawExit>((resolve) => {
    channel.on("close", () => {
      const status = channelExit(channel);
      if (!status) return resolve({ exitCode: null, signal: null, lost: true });
      resolve({ exitCode: status.signal ? null : status.code, signal: status.signal, lost: false });
    });
  });
  if (options.stdin !== undefined) channel.write(options.stdin);
  if (!options.keepStdinOpen) channel.end();
  return { channel, pid: () => stripper?.pid ?? null, exited };
}

export function connectionLost(endpoint: SshEndpoint, what: string): SshError {
  return new SshError(`The SSH connection to ${endpointName(endpoint)} dropped while running ${what}.`, "connect");
}
