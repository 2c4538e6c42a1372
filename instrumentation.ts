/** Next calls register() once per server process; the services start only in the Node runtime. */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  // server.ts's WebSocket upgrade reaches the terminal through a registry on globalThis.
  (await import("./server/terminal/register")).registerTerminalEndpoint();
  if (process.env.AI_SLAVE_DISABLE_SCHEDULER === "1") return;
  const { startServices } = await import("./server/boot");
  await startServices();
}
