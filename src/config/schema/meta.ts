/**
 * Field metadata helpers. Every soa-configs key is declared once, in zod, with its documentation: a
 * description, its default (a literal `default`, or `x-default` text when it is computed), whether changing it
 * bounces the instance (`x-bounce`), and, for keys paasta accepts for compatibility but does not act on,
 * `x-ignored` with the reason. docs/config.md, docs/compatibility.md and schemas/*.schema.json are generated
 * from these, so the docs cannot drift from the code.
 *
 * Defaults are NOT applied by parsing: `resolve.ts` is the one place that applies them.
 */
import type { z } from "zod";

export interface FieldDoc {
  /** One or two sentences for users. */
  readonly description: string;
  /** A literal default, shown in docs and editor tooltips. */
  readonly default?: unknown;
  /** The default, in words, when it is computed from other keys. */
  readonly defaultText?: string;
  /** Whether a change to this key replaces the running tasks (a bounce). Defaults to true for instance keys. */
  readonly bounce?: boolean;
  /** Accepted for compatibility with PaaSTA, but no backend acts on it yet: why. */
  readonly ignored?: string;
}

/** Marks `schema` as an optional documented field. */
export function field<T extends z.ZodType>(schema: T, doc: FieldDoc | string) {
  const d: FieldDoc = typeof doc === "string" ? { description: doc } : doc;
  const meta: Record<string, unknown> = { description: d.description };
  if (d.default !== undefined) meta.default = d.default;
  if (d.defaultText !== undefined) meta["x-default"] = d.defaultText;
  if (d.bounce !== undefined) meta["x-bounce"] = d.bounce;
  if (d.ignored !== undefined) meta["x-ignored"] = d.ignored;
  return schema.optional().meta(meta);
}

/** An accepted-but-inert key (see FieldDoc.ignored). */
export function ignoredField<T extends z.ZodType>(schema: T, description: string, why: string) {
  return field(schema, { description, ignored: why, bounce: false });
}
