import type { IncomingMessage } from "node:http";

/**
 * Which responses Next may compress. Next gzips every response whose client accepts it, and a
 * route handler's body is a stream without a length, so even a 20-byte answer gets its own zlib
 * stream. For the API that cost 2.4 to 3.5 ms of the server's CPU per request, a third or more
 * of what a request costs in all (bench/README.md, "Compression"), and this server is read over
 * loopback or a LAN, where the bytes saved are worth less than the time. So the API's JSON and event
 * streams go out as they are; pages, scripts and styles are still compressed, and so are the two
 * answers that are large by nature and fetched once per view: a task's diff and the OpenAPI
 * document.
 */
const COMPRESSED_API = /^\/api\/(?:tasks\/[^/?]+\/diff|openapi\.json)(?:[/?]|$)/;

function compressible(url: string): boolean {
  return !url.startsWith("/api/") || COMPRESSED_API.test(url);
}

/** Keeps Next from compressing the response to `request` when it should not (see above). */
export function applyCompressionPolicy(request: IncomingMessage): void {
  if (!compressible(request.url ?? "/")) delete request.headers["accept-encoding"];
}
