import { CliError } from '../base/errors.js';

/** Where the API is: --base-url, OPENROUTER_BASE_URL, else OpenRouter's own. */
export const DEFAULT_BASE_URL = 'https://openrouter.ai/api/v1';

/**
 * Keys must never travel unencrypted, so plain http is only allowed to this machine
 * (the test stand-in, a local proxy of the user's own).
 */
export function validateBaseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CliError('usage', `invalid base URL: ${raw}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new CliError('usage', `base URL must be https: ${raw}`);
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new CliError('usage', `refusing plain http base URL ${url.origin}: keys would travel unencrypted (use https, or http only to localhost)`);
  }
  if (url.username || url.password) {
    throw new CliError('usage', 'base URL must not contain credentials');
  }
  return url.href.replace(/\/+$/, '');
}

/**
 * Loopback means this machine without asking anyone: an IPv4 literal in 127.0.0.0/8, the IPv6
 * literal ::1, or the exact name `localhost` (which the HTTP layer pins to 127.0.0.1 rather than
 * resolve). `*.localhost` is not: it is resolved through whatever DNS the machine uses.
 * Takes a URL's `hostname` (IPv6 in brackets, as URL gives it; bare `::1` is accepted too).
 */
export function isLoopbackHost(hostname: string): boolean {
  return loopbackAddress(hostname) !== undefined;
}

/**
 * The address to connect to for a loopback host, without DNS: `localhost` → `127.0.0.1`,
 * `[::1]` → `::1`, a 127.x.y.z literal → itself; undefined for any other host. For the HTTP layer:
 * pin the connection to this address, and never send such a request through a proxy.
 */
export function loopbackAddress(hostname: string): string | undefined {
  const host = hostname.toLowerCase();
  if (host === 'localhost') return '127.0.0.1';
  if (host === '[::1]' || host === '::1') return '::1';
  const parts = host.split('.');
  const ipv4 = parts.length === 4 && parts.every((p) => /^(?:0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255) && Number(parts[0]) === 127;
  return ipv4 ? parts.map(Number).join('.') : undefined;
}

/** Whether a base URL points at this machine (see isLoopbackHost); false for one that does not parse. */
export function isLoopbackBaseUrl(baseUrl: string): boolean {
  try {
    return isLoopbackHost(new URL(baseUrl).hostname);
  } catch {
    return false;
  }
}
