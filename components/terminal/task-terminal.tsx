"use client";

import Link from "next/link";
import { useState } from "react";
import useSWR from "swr";
import { PageHeader } from "@/components/layout/page-header";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { errorMessage, fetcherFor } from "@/lib/api-client";
import { terminalInfoSchema } from "@/lib/schemas/terminal";
import type { TerminalStatus } from "./terminal-connection";
import { TerminalView } from "./terminal-view";


const STATUS_VARIANT: Record<TerminalStatus, "muted" | "success" | "warning"> = { connecting: "muted", connected: "success", closed: "warning" };

/** The task's tmux session in the browser: the same session a remote agent runs in. */
export function TaskTerminal({ taskId }: { taskId: number }) {
  const { data: info, error } = useSWR(`/api/tasks/${taskId}/terminal`, fetcherFor(terminalInfoSchema), { revalidateOnFocus: false });
  const [status, setStatus] = useState<{ status: TerminalStatus; detail?: string }>({ status: "connecting" });
  const [connectKey, setConnectKey] = useState(0);

  return (
    <div className="flex h-[calc(100dvh-8rem)] min-h-[20rem] flex-col gap-3">
      <PageHeader
        eyebrow={<Link href={`/tasks/${taskId}`}>← Task {info ? `#${info.taskNumber}` : taskId}</Link>}
        title={info ? `Terminal · ${info.title}` : "Terminal"}
        description={info ? `tmux session ${info.sessionName} in ${info.cwd} (${info.workspace.name}, ${info.workspace.type})` : null}
        actions={
          <>
            <Badge variant={STATUS_VARIANT[status.status]} data-testid="terminal-status" data-status={status.status}>
              {status.status}
            </Badge>
            {status.status === "closed" ? (
              <Button size="sm" variant="outline" onClick={() => setConnectKey((key) => key + 1)}>
                Reconnect
              </Button>
            ) : null}
          </>
        }
      />
      {status.detail && status.status !== "connected" ? <p className="text-sm text-muted-foreground">{status.detail}</p> : null}
      {error ? <p className="text-sm text-destructive">{errorMessage(error)}</p> : null}
      {info ? (
        <div className="min-h-0 flex-1">
          <TerminalView websocketPath={info.websocketPath} connectKey={connectKey} onStatus={(next, detail) => setStatus({ status: next, detail })} />
        </div>
      ) : null}
    </div>
  );
}
