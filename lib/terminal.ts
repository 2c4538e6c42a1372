/** GET /api/tasks/:id/terminal: what the terminal page needs to attach to the task's tmux session. */
export interface TerminalInfo {
  taskId: number;
  taskNumber: number;
  title: string;
  sessionName: string;
  cwd: string;
  workspace: { id: number; name: string; type: string };
  /** Where the page opens its WebSocket. */
  websocketPath: string;
}
