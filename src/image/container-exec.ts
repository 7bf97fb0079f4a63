/** Runs a command inside a running container (`sh -c`), bounded by a timeout: its exit code, 124 on timeout. */
import type Dockerode from "dockerode";

export async function execInContainer(
  container: Dockerode.Container,
  command: string,
  timeoutMs: number,
  env: readonly string[] = [],
): Promise<number> {
  const exec = await container.exec({
    Cmd: ["sh", "-c", command],
    AttachStdout: true,
    AttachStderr: true,
    Env: [...env],
  });
  const stream = await exec.start({ hijack: true, stdin: false });
  stream.resume();
  const done = new Promise<void>((r) => {
    stream.on("end", r);
    stream.on("close", r);
    stream.on("error", () => r());
  });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = await Promise.race([
    done.then(() => false),
    new Promise<boolean>((r) => {
      timer = setTimeout(() => r(true), timeoutMs);
    }),
  ]);
  clearTimeout(timer);
  if (timedOut) {
    stream.destroy();
    return 124;
  }
  const info = await exec.inspect();
  return info.ExitCode ?? 1;
}
