/**
 * HAProxy's runtime API (the stats socket at admin level, and the master socket in master-worker mode): one
 * command per connection, non-interactive; the answer is everything HAProxy writes before closing.
 */
import { connect } from "node:net";

export async function haproxyCommand(socket: string, command: string, timeoutMs = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = connect(socket);
    let out = "";
    const timer = setTimeout(
      () => c.destroy(new Error(`HAProxy did not answer "${command}" within ${timeoutMs} ms`)),
      timeoutMs,
    );
    c.setEncoding("utf8");
    c.on("connect", () => c.end(`${command}\n`));
    c.on("data", (d: string) => {
      out += d;
    });
    c.on("end", () => {
      clearTimeout(timer);
      resolve(out);
    });
    c.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

/** Answers of the runtime API that mean the command did not do what it asked. */
const FAILURE =
  /^(No such|Unknown|Require|Can't|Cannot|Server still has|Backend must|Invalid|Missing|.*is not|.*failed)/m;

/** Runs a command and throws with HAProxy's words when it refuses it. */
export async function haproxyDo(socket: string, command: string): Promise<string> {
  const out = await haproxyCommand(socket, command);
  if (FAILURE.test(out.trim())) throw new Error(`HAProxy refused "${command}": ${out.trim()}`);
  return out;
}
