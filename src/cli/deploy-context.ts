/** What the deploy-record commands share: the soa dir, the optional system config and its log writer. */
import type { RecordContext } from "../deploy/record.js";
import { optionalSystemConfig, resolveSoaDir, type SoaDirOptions } from "./common.js";
import type { Io } from "./io.js";

export async function recordContext(opts: SoaDirOptions, io: Io): Promise<RecordContext> {
  const { createLogWriter } = await import("../logs/writer.js");
  const soaDir = await resolveSoaDir(opts, io);
  const system = await optionalSystemConfig(io);
  const git = io.env.PAASTA_GIT_RETRY_DELAY_MS ? { retryDelayMs: Number(io.env.PAASTA_GIT_RETRY_DELAY_MS) } : undefined;
  return { soaDir, system, log: createLogWriter(system?.logWriter()), git };
}
