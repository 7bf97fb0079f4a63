/**
 * Copies a container's output into its task's `stdout` / `stderr` files (which the runtime's log stream
 * tails), following it while it runs. Resumable: after a restart of `paasta up` the follower starts again from
 * the last copied line (kept in `.logs_since`), so output written meanwhile is not lost and no line is copied
 * twice.
 */
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { PassThrough } from "node:stream";
import type Dockerode from "dockerode";
import { PRIVATE_FILE_MODE } from "../private-files.js";

/** `2026-01-02T03:04:05.123456789Z` → [epoch seconds, nanoseconds] (Docker trims trailing zeros). */
export function parseStamp(stamp: string): [number, number] | undefined {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$/.exec(stamp);
  if (!m) return undefined;
  return [Date.parse(`${m[1]}Z`) / 1000, Number((m[2] ?? "").padEnd(9, "0"))];
}

const after = (a: [number, number], b: [number, number]) => a[0] > b[0] || (a[0] === b[0] && a[1] > b[1]);

export function followLogs(container: Dockerode.Container, logDir: string): Promise<void> {
  const sinceFile = join(logDir, ".logs_since");
  let last: [number, number] = [0, 0];
  try {
    last = parseStamp(readFileSync(sinceFile, "utf8").trim()) ?? last;
  } catch {
    // first follower of this task
  }
  let lastText = "";
  return new Promise<void>((resolve) => {
    container.logs(
      { follow: true, stdout: true, stderr: true, timestamps: true, since: Math.floor(last[0]) },
      (err: Error | null, stream?: NodeJS.ReadableStream) => {
        if (err || !stream) return resolve();
        const copy = (name: "stdout" | "stderr") => {
          const pt = new PassThrough();
          createInterface({ input: pt }).on("line", (line) => {
            const space = line.indexOf(" ");
            const stamp = space > 0 ? parseStamp(line.slice(0, space)) : undefined;
            if (stamp && !after(stamp, last)) return;
            if (stamp) {
              last = stamp;
              lastText = line.slice(0, space);
            }
            appendFileSync(join(logDir, name), `${stamp ? line.slice(space + 1) : line}\n`, {
              mode: PRIVATE_FILE_MODE,
            });
            if (stamp) writeFileSync(sinceFile, lastText);
          });
          return pt;
        };
        const out = copy("stdout");
        const errs = copy("stderr");
        container.modem.demuxStream(stream, out, errs);
        const done = () => {
          out.end();
          errs.end();
          // let readline flush the last lines before recording where we are
          setImmediate(resolve);
        };
        stream.on("end", done);
        stream.on("close", done);
        stream.on("error", done);
      },
    );
  });
}
