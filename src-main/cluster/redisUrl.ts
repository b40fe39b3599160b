import { isIP } from 'node:net';
import type { RedisOptions } from 'ioredis';
import type { ConnectionOptions } from 'bullmq';

/** Where the Redis URL comes from, named in messages so the user knows what to fix. */
export const REDIS_URL_ENV = 'MOSEI_REDIS_URL';

/** A Redis server the workbench may use: how to connect, and how to name it without its secret. */
export interface RedisTarget {
  /** The URL with its password (and ACL user's password) replaced by ***: the only form ever printed or shown. */
  display: string;
  /** ioredis options; holds the secret, never printed. */
  options: RedisOptions;
  tls: boolean;
  loopback: boolean;
}

export class RedisUrlError extends Error {}

const LOOPBACK_NAMES = new Set(['localhost', 'ip6-localhost', 'ip6-loopback']);

/** Whether a host name or address is this machine's loopback interface. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (LOOPBACK_NAMES.has(bare)) return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1' || /^::ffff:127\./.test(bare);
  return false;
}

/** The URL as it may be shown: user kept, password replaced. Works on text that is not a valid URL too. */
export function redactRedisUrl(text: string): string {
  try {
    const url = new URL(text);
    if (url.password) url.password = '***';
    else if (url.username && !url.password && url.protocol.startsWith('redis')) {
      // redis://:secret@host parses the secret as the password; redis://secret@host is ioredis's password-only form.
      url.username = '***';
    }
    return url.toString();
  } catch {
    return '(a Redis URL that is not a valid URL)';
  }
}

/**
 * Checks a Redis URL and turns it into connection options. `redis://` (plain) and `rediss://`
 * (TLS), with an optional ACL user and password and a database number. A plain-text URL
 * without a password to another machine is refused unless `allowInsecure`: such a Redis
 * lets anyone on the network read and write the lab's jobs and results.
 */
export function parseRedisUrl(text: string, allowInsecure = false): RedisTarget {
  const trimmed = text.trim();
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    // Not repeated: text that is not a URL may hold a password anywhere.
    throw new RedisUrlError('The Redis URL given is not a URL. Write it as redis://[user:password@]host[:port][/db], or rediss://… for TLS.');
  }
  const display = redactRedisUrl(trimmed);
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new RedisUrlError(`${display} is not a Redis URL: it starts with ${url.protocol}//; use redis:// or rediss:// (TLS).`);
  }
  if (!url.hostname) throw new RedisUrlError(`${display} names no host. Write it as redis://[user:password@]host[:port][/db].`);
  const port = url.port ? Number(url.port) : 6379;
  const dbText = url.pathname.replace(/^\//, '');
  const db = dbText === '' ? 0 : Number(dbText);
  if (!Number.isInteger(db) || db < 0 || db > 15 || !/^\d*$/.test(dbText)) {
    throw new RedisUrlError(`${display} names database "${dbText}"; a Redis database is a number from 0 to 15.`);
  }
  const tls = url.protocol === 'rediss:';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const loopback = isLoopbackHost(host);
  // redis://secret@host is ioredis's password-only form; redis://user:secret@host an ACL user.
  const username = url.password ? decodeURIComponent(url.username) : '';
  const password = url.password ? decodeURIComponent(url.password) : decodeURIComponent(url.username);
  if (!loopback && !tls && !password && !allowInsecure) {
    throw new RedisUrlError(
      `${display} has no password and reaches another machine without TLS: anyone who can reach that Redis could read and change the lab's training jobs. ` +
        'Give it a password (redis://:PASSWORD@host or an ACL user, redis://USER:PASSWORD@host), use rediss:// for TLS, or, on a network you trust, pass --allow-insecure-redis.',
    );
  }
  const options: RedisOptions = {
    host,
    port,
    db,
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
    ...(tls ? { tls: { servername: isIP(host) ? undefined : host } } : {}),
    // BullMQ's blocking commands need this; reconnection is ioredis's own.
    maxRetriesPerRequest: null,
  };
  return { display, options, tls, loopback };
}

/** The same options as BullMQ's connection (its own RedisOptions type narrows ioredis's retryStrategy). */
export const bullConnection = (target: RedisTarget): ConnectionOptions => ({ ...target.options }) as ConnectionOptions;
