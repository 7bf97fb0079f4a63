/**
 * Redaction of what looks like a credential, for everything status and logs show about how a task runs
 * (command lines, health-check commands, env): values of env variables whose name says secret, user:password
 * in URLs and `-u`, `--password=`/`--token` flags, `NAME_TOKEN=value` assignments, Authorization headers.
 * `SECRET(name)` references are not values (the secrets subsystem resolves them at task start) and stay
 * visible. Pure: tested by value. A heuristic: a credential in a shape not listed here is not caught.
 */

export const REDACTED = "<redacted>";

const SECRET_NAME = /pass(word|wd)?|secret|token|api[_-]?key|credential|private[_-]?key|auth|signature|cookie/i;
const REFERENCE = /^(SHARED_)?SECRET\([^)]*\)$/;

/** Whether an env variable's name says its value is a credential. */
export function looksSecret(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** `env` with the values of credential-looking names redacted (secret references are kept). */
export function redactEnv(env: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) out[k] = looksSecret(k) && !REFERENCE.test(v) ? REDACTED : v;
  return out;
}

const PATTERNS: ReadonlyArray<[RegExp, string]> = [
  // scheme://user:password@host
  [/([a-z][a-z0-9+.-]*:\/\/[^\s/:@]+):[^\s@/]+@/gi, `$1:${REDACTED}@`],
  // curl -u user:password, --user user:password, --user=user:password
  [/((?:^|\s)(?:-u|--user)(?:\s+|=)['"]?[^\s:'"]+):[^\s'"]+/g, `$1:${REDACTED}`],
  // --password x, --password=x, --token x, --api-key=x, -p x is too common to guess
  [
    /((?:^|\s)--?[a-z0-9-]*(?:pass(?:word|wd)?|secret|token|api-?key|credential)[a-z0-9-]*)(=|\s+)(['"]?)[^\s'"]+\3/gi,
    `$1$2$3${REDACTED}$3`,
  ],
  // NAME_TOKEN=value, password=value, secret: value (shell assignments, query strings, headers)
  [
    /(\b[a-z0-9_-]*(?:pass(?:word|wd)?|secret|token|api_?key|credential)[a-z0-9_-]*)([=:]\s?)(['"]?)[^\s&'"]+\3/gi,
    `$1$2$3${REDACTED}$3`,
  ],
  // Authorization: Bearer x / Basic x
  [/(authorization:?\s*(?:bearer|basic|token)\s+)[^\s'"]+/gi, `$1${REDACTED}`],
];

/**
 * `text` with what looks like a credential redacted: the patterns above, and anywhere the literal value of a
 * credential-looking variable of `env` appears (values shorter than 4 characters are left: too common).
 */
export function redactText(text: string, env: Readonly<Record<string, string>> = {}): string {
  let out = text;
  for (const [k, v] of Object.entries(env)) {
    if (looksSecret(k) && v.length >= 4 && !REFERENCE.test(v)) out = out.split(v).join(REDACTED);
  }
  for (const [re, to] of PATTERNS) out = out.replace(re, to);
  return out;
}
