/**
 * Drift: does a live object still say what we rendered? Only the fields we render are compared (the API server
 * adds defaults and other controllers add their own fields), zero values equal absent ones (omitempty), and
 * resource quantities compare by value ("0.25" = "250m", "1024Mi" = "1Gi"). A hand edit of any field we set
 * is seen and repaired by the next pass; a pass where nothing differs writes nothing.
 */

const SUFFIX: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** A Kubernetes quantity as a number ("250m" → 0.25, "1Gi" → 1073741824), or undefined. */
export function parseQuantity(q: unknown): number | undefined {
  if (typeof q === "number") return q;
  if (typeof q !== "string") return undefined;
  const m = /^([+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)(n|u|m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/.exec(q);
  if (!m) return undefined;
  return Number(m[1]) * (SUFFIX[m[2] ?? ""] ?? 1);
}

function isZero(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === "") return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === "object") return Object.values(v as Record<string, unknown>).every(isZero);
  return false;
}

function sameScalar(a: unknown, b: unknown, inResources: boolean): boolean {
  if (a === b) return true;
  if (isZero(a) && isZero(b)) return true;
  if (inResources) {
    const qa = parseQuantity(a);
    const qb = parseQuantity(b);
    if (qa !== undefined && qb !== undefined) return Math.abs(qa - qb) <= Math.abs(qa) * 1e-9;
  }
  // "5%" vs "5%", 0 vs "0" (intstr)
  return String(a) === String(b);
}

/** The path of the first field where `live` differs from `rendered`, or undefined when it does not. */
export function firstDifference(rendered: unknown, live: unknown, path = "", inResources = false): string | undefined {
  if (Array.isArray(rendered)) {
    const l = Array.isArray(live) ? live : [];
    if (l.length !== rendered.length && !(rendered.length === 0 && isZero(live)))
      return `${path} (length ${l.length}, want ${rendered.length})`;
    for (let i = 0; i < rendered.length; i++) {
      const d = firstDifference(rendered[i], l[i], `${path}[${i}]`, inResources);
      if (d) return d;
    }
    return undefined;
  }
  if (rendered !== null && typeof rendered === "object") {
    if (isZero(rendered) && isZero(live)) return undefined;
    const l = live !== null && typeof live === "object" ? (live as Record<string, unknown>) : {};
    for (const [k, v] of Object.entries(rendered as Record<string, unknown>)) {
      const d = firstDifference(
        v,
        l[k],
        path ? `${path}.${k}` : k,
        inResources || k === "resources" || k === "requests" || k === "limits",
      );
      if (d) return d;
    }
    return undefined;
  }
  return sameScalar(rendered, live, inResources)
    ? undefined
    : `${path} (is ${JSON.stringify(live)}, want ${JSON.stringify(rendered)})`;
}
