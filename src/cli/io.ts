/** Where a command writes, and what it knows of its environment: injected so tests can run commands in-process. */
import pc from "picocolors";

export interface Io {
  out(line: string): void;
  err(line: string): void;
  /** Writes to stdout as is, without a newline (bytes a command prints by design, e.g. a decrypted secret). */
  write(data: string | Uint8Array): void;
  /** All of stdin, until end of file. */
  readStdin(): Promise<Uint8Array>;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Whether stdin/stdout are a terminal (prompts, live progress). */
  readonly interactive: boolean;
  readonly color: boolean;
  /** Columns for help text. */
  readonly width: number;
  /** Asks a yes/no question on the terminal; false when not interactive. */
  confirm(question: string): Promise<boolean>;
}

async function askTerminal(question: string): Promise<boolean> {
  const { createInterface } = await import("node:readline/promises");
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

export function processIo(): Io {
  const color = pc.isColorSupported && !process.env.NO_COLOR;
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    write: (data) => process.stdout.write(data),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return new Uint8Array(Buffer.concat(chunks));
    },
    cwd: process.cwd(),
    env: process.env,
    interactive: Boolean(process.stdin.isTTY && process.stdout.isTTY),
    color,
    width: process.stdout.isTTY ? Math.min(process.stdout.columns || 100, 120) : 100,
    confirm: (q) => (process.stdin.isTTY && process.stdout.isTTY ? askTerminal(q) : Promise.resolve(false)),
  };
}

/** An Io that records lines (for tests and for composing commands). */
export function bufferIo(
  overrides: Partial<Pick<Io, "cwd" | "env" | "interactive">> & { answer?: boolean; stdin?: string } = {},
): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    out: (l) => stdout.push(l),
    err: (l) => stderr.push(l),
    // recorded as one more "line": tests compare the text, not where lines break
    write: (data) => stdout.push(typeof data === "string" ? data : new TextDecoder().decode(data)),
    readStdin: async () => new TextEncoder().encode(overrides.stdin ?? ""),
    cwd: overrides.cwd ?? process.cwd(),
    env: overrides.env ?? {},
    interactive: overrides.interactive ?? false,
    color: false,
    width: 100,
    confirm: async (q) => {
      stdout.push(`${q} [y/N] ${overrides.answer ? "y" : "n"}`);
      return overrides.answer ?? false;
    },
  };
}

/** PaaSTA's ✓ / ✗ marks, coloured when the terminal supports it. */
export function marks(io: Io) {
  const c = pc.createColors(io.color);
  return {
    ok: (text: string) => `${c.green("✓")} ${text}`,
    fail: (text: string) => `${c.red("✗")} ${text}`,
    warn: (text: string) => `${c.yellow("!")} ${text}`,
    bold: c.bold,
    dim: c.dim,
    red: c.red,
    green: c.green,
    yellow: c.yellow,
    cyan: c.cyan,
  };
}
