/**
 * The one redaction step every printed line goes through. Keys must never leave the process,
 * not even in an error body echoed back by a server or a proxy.
 */
const KEY_PATTERN = /sk-or-[A-Za-z0-9-]*?v\d+-[A-Za-z0-9]{6,}|sk-or-[A-Za-z0-9_-]{12,}/g;
const BEARER_PATTERN = /(Bearer\s+)[^\s"',;]+/gi;

const secrets = new Set<string>();

/** Registers a secret so that every later redact() call removes it wherever it appears. */
export function registerSecret(secret: string | undefined): void {
  if (secret && secret.length >= 4) secrets.add(secret);
}

export function redact(text: string): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join('[redacted]');
  return out.replace(BEARER_PATTERN, '$1[redacted]').replace(KEY_PATTERN, '[redacted key]');
}
