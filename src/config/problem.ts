/** A located problem found while reading or validating configuration. */
export interface Problem {
  /** Path of the file, relative to the directory the caller reports against. */
  readonly file: string;
  readonly line?: number;
  readonly col?: number;
  /** Dotted key path inside the file, e.g. `main.healthcheck_uri` or `main.extra_volumes[0].mode`. */
  readonly path?: string;
  readonly message: string;
}

export type PathSegment = string | number;

/** `a.b[0].c` from `["a", "b", 0, "c"]`. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else out += out === "" ? seg : `.${seg}`;
  }
  return out;
}

/** `file:line:col path: message`, the shape every located problem is printed in. */
export function formatProblem(p: Problem): string {
  let where = p.file;
  if (p.line !== undefined) where += `:${p.line}${p.col !== undefined ? `:${p.col}` : ""}`;
  const path = p.path ? ` ${p.path}` : "";
  return `${where}${path}: ${p.message}`;
}

/** Stable ordering for reports: by file, then line, then column, then message. */
export function compareProblems(a: Problem, b: Problem): number {
  return (
    a.file.localeCompare(b.file) ||
    (a.line ?? 0) - (b.line ?? 0) ||
    (a.col ?? 0) - (b.col ?? 0) ||
    a.message.localeCompare(b.message)
  );
}
