/** Host ports for local tasks: the lowest free port of the range that is not taken and can be bound. */
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
  for (let port = range[0]; port <= range[1]; port++) {
    if (taken.has(port)) continue;
    if (await canBind(port)) return port;
  }
  throw new Error(`no free port in ${range[0]}-${range[1]}`);
}
