/** Host ports for local tasks: a free port of the range that is not taken and can be bound. */
import { createServer } from "node:net";

export const DEFAULT_PORT_RANGE: readonly [number, number] = [35000, 39999];

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once("error", () => resolve(false));
    srv.listen({ port, host: "127.0.0.1", exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

export async function allocatePort(
  taken: ReadonlySet<number>,
  range: readonly [number, number] = DEFAULT_PORT_RANGE,
): Promise<number> {
  // Start at a random place: two runtimes (or a runtime and a test) choosing at once rarely pick the same port.
  const span = range[1] - range[0] + 1;
  const offset = Math.floor(Math.random() * span);
  for (let i = 0; i < span; i++) {
    const port = range[0] + ((offset + i) % span);
    if (taken.has(port)) continue;
    if (await canBind(port)) return port;
  }
  throw new Error(`no free port in ${range[0]}-${range[1]}`);
}

/** A port the kernel picks from its ephemeral range (random, so two callers rarely pick the same one). */
export function ephemeralPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen({ port: 0, host: "127.0.0.1" }, () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}
