/**
 * Images in the engine: build a Dockerfile through the API (with progress), push and pull (progress, errors
 * from the stream), and whether an image is present. Credentials come from the Docker config file.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { PaastaError } from "../errors.js";
import { credentialsFor } from "./docker-config.js";
import { describe, type Engine, isNotFound } from "./engine.js";
import { splitTag } from "./target.js";

interface ProgressEvent {
  stream?: string;
  status?: string;
  id?: string;
  progress?: string;
  error?: string;
  errorDetail?: { message?: string };
  aux?: { ID?: string };
}

/** Follows a progress stream; resolves with the error message the stream reported, if any. */
function follow(
  engine: Engine,
  stream: NodeJS.ReadableStream,
  onEvent: (e: ProgressEvent) => void,
): Promise<string | null> {
  return new Promise((resolve, reject) => {
    let error: string | null = null;
    engine.docker.modem.followProgress(
      stream,
      (err: Error | null) => (err ? reject(err) : resolve(error)),
      (e: ProgressEvent) => {
        if (e.error || e.errorDetail) error = e.errorDetail?.message ?? e.error ?? "unknown error";
        onEvent(e);
      },
    );
  });
}

/** Files of a build context, relative, without .git and what .dockerignore excludes (simple patterns). */
export function contextFiles(dir: string): string[] {
  let ignore: RegExp[] = [];
  try {
    ignore = readFileSync(join(dir, ".dockerignore"), "utf8")
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l !== "" && !l.startsWith("#") && !l.startsWith("!"))
      .map(
        (l) =>
          new RegExp(
            `^${l
              .replace(/^\/+|\/+$/g, "")
              .replace(/[.+^${}()|[\]\\]/g, "\\$&")
              .replace(/\*\*/g, "\u0000")
              .replace(/\*/g, "[^/]*")
              .replace(/\?/g, "[^/]")
              .replace(/\u0000/g, ".*")}(/.*)?$`,
          ),
      );
  } catch {
    // no .dockerignore
  }
  const out: string[] = [];
  const walk = (d: string) => {
    for (const ent of readdirSync(d, { withFileTypes: true })) {
      const abs = join(d, ent.name);
      const rel = relative(dir, abs);
      if (rel === ".git" || ignore.some((r) => r.test(rel))) continue;
      if (ent.isDirectory()) walk(abs);
      else out.push(rel);
    }
  };
  walk(dir);
  return out.sort();
}

/** Builds `dir`'s Dockerfile as `tag` through the engine API; `onLine` gets the build output. */
export async function buildDockerfile(
  engine: Engine,
  dir: string,
  tag: string,
  onLine: (line: string) => void,
  labels: Record<string, string> = {},
): Promise<void> {
  let stream: NodeJS.ReadableStream;
  try {
    stream = await engine.docker.buildImage({ context: dir, src: contextFiles(dir) }, { t: tag, labels, rm: true });
  } catch (e) {
    throw new PaastaError("PAASTA_IMAGE_BUILD_FAILED", { image: tag, detail: describe(e) });
  }
  const error = await follow(engine, stream, (e) => {
    const text = e.stream ?? (e.status ? `${e.status}${e.progress ? ` ${e.progress}` : ""}` : undefined);
    if (text) for (const l of text.replace(/\n$/, "").split("\n")) if (l.trim() !== "") onLine(l);
  }).catch((e: unknown) => describe(e));
  if (error) throw new PaastaError("PAASTA_IMAGE_BUILD_FAILED", { image: tag, detail: error });
}

export async function imageExists(engine: Engine, image: string): Promise<boolean> {
  try {
    await engine.docker.getImage(image).inspect();
    return true;
  } catch (e) {
    if (isNotFound(e)) return false;
    throw new PaastaError("PAASTA_ENGINE_UNREACHABLE", { where: engine.where, detail: describe(e) });
  }
}

function authFor(image: string, env: NodeJS.ProcessEnv) {
  const registry = image.split("/")[0] as string;
  return credentialsFor(registry, env);
}

/** Layer-level progress, condensed: one line per layer when it completes, plus the final digest line. */
function progressLine(e: ProgressEvent): string | undefined {
  if (!e.status || e.progress) return undefined;
  return e.id ? `${e.id}: ${e.status}` : e.status;
}

/**
 * Runs a push or a pull and follows its progress stream; an error when starting it or one reported in the
 * stream (the engine reports failures there) becomes `code`.
 */
async function transfer(
  engine: Engine,
  image: string,
  code: "PAASTA_IMAGE_PUSH_FAILED" | "PAASTA_IMAGE_PULL_FAILED",
  start: () => Promise<NodeJS.ReadableStream>,
  onLine: (line: string) => void,
): Promise<void> {
  let stream: NodeJS.ReadableStream;
  try {
    stream = await start();
  } catch (e) {
    throw new PaastaError(code, { image, detail: describe(e) });
  }
  const error = await follow(engine, stream, (e) => {
    const l = progressLine(e);
    if (l) onLine(l);
  }).catch((e: unknown) => describe(e));
  if (error) throw new PaastaError(code, { image, detail: error });
}

export function pushImage(
  engine: Engine,
  image: string,
  env: NodeJS.ProcessEnv,
  onLine: (line: string) => void,
): Promise<void> {
  const { repo, tag } = splitTag(image);
  const authconfig = authFor(image, env);
  return transfer(
    engine,
    image,
    "PAASTA_IMAGE_PUSH_FAILED",
    async () =>
      (await engine.docker
        .getImage(repo)
        .push({ tag, ...(authconfig ? { authconfig } : {}) })) as unknown as NodeJS.ReadableStream,
    onLine,
  );
}

export function pullImage(
  engine: Engine,
  image: string,
  env: NodeJS.ProcessEnv,
  onLine: (line: string) => void,
): Promise<void> {
  const authconfig = authFor(image, env);
  return transfer(
    engine,
    image,
    "PAASTA_IMAGE_PULL_FAILED",
    () => engine.docker.pull(image, authconfig ? { authconfig } : {}),
    onLine,
  );
}

/** Pulls `image` unless the engine already has it. */
export async function ensureImage(
  engine: Engine,
  image: string,
  env: NodeJS.ProcessEnv,
  onLine: (line: string) => void,
): Promise<"present" | "pulled"> {
  if (await imageExists(engine, image)) return "present";
  await pullImage(engine, image, env, onLine);
  return "pulled";
}
