/** `paasta cook-image`: PaaSTA's `make cook-image` with DOCKER_TAG, else the Dockerfile built through the API. */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { PaastaError } from "../errors.js";
import { connectEngine } from "./engine.js";
import { buildDockerfile } from "./images.js";
import { makeHasTarget, runMake } from "./make.js";

export interface CookOptions {
  /** The service's repository. */
  readonly dir: string;
  readonly image: string;
  readonly env: NodeJS.ProcessEnv;
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  /** Labels for an API build (a Makefile build sets its own). */
  readonly labels?: Record<string, string>;
}

/** How the image gets built: `make` when the Makefile has cook-image, else `dockerfile`. */
export function cookMethod(dir: string): "make" | "dockerfile" {
  if (makeHasTarget(dir, "cook-image")) return "make";
  if (existsSync(join(dir, "Dockerfile"))) return "dockerfile";
  throw new PaastaError("PAASTA_NO_IMAGE_RECIPE", { dir });
}

export async function cookImage(o: CookOptions): Promise<"make" | "dockerfile"> {
  const method = cookMethod(o.dir);
  if (method === "make") {
    await runMake({ dir: o.dir, target: "cook-image", image: o.image, env: o.env, out: o.out, err: o.err });
  } else {
    const engine = await connectEngine(o.env);
    await buildDockerfile(engine, o.dir, o.image, o.out, o.labels);
  }
  return method;
}
