/** Next calls register() once per server process; the services start only in the Node runtime. */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  // server.ts's WebSocket upgrade reaches the terminal through a registry on globalThis.
  (await import("./server/terminal/register")).registerTerminalEndpoint();
  if (process.env.AI_SLAVE_DISABLE_SCHEDULER === "1") return;
  const { startServices } = await import("./server/boot");
  // Not awaited: Next holds every request until register() returns, and boot (taking over the
  // last process's runs, probing the agent CLIs, the first statements' query plans) took about
  // 1 s of a 2 s start. Requests are served meanwhile (server/boot.ts says how). A boot that fails
  // leaves a server that would never run a task: it exits, for its supervisor to see.
  void startServices().catch((error: unknown) => {
    console.error("[ai-slave] the background services failed to start", error);
    process.exit(1);
  });
}
