import type { RedisOptions } from 'bullmq';
import { DistributedError } from './errors';

/** A parsed `--queue` address: what BullMQ (ioredis) connects with, and how it is shown. */
export interface QueueAddress {
  /** The URL as shown in messages: the password replaced by `***`. */
  shown: string;
  /** ioredis options (host, port, db, user, password, TLS for `rediss://`), bounded reconnects. */
  connection: RedisOptions;
  /** Seconds a lost connection is retried before giving up. */
  reconnectSeconds: number;
}

/** Options of {@link parseQueueUrl}. */
export interface AddressOptions {
  /** Seconds to keep trying to reach a lost Redis before giving up (default 60). */
  reconnectSeconds?: number;
}

/** The delay before reconnect attempt `times` (ms): 100, 200, ... up to 1 s. */
function retryDelay(times: number): number {
  return Math.min(times * 100, 1000);
}

/** The number of reconnect attempts whose delays add up to `seconds`. */
export function attemptsWithin(seconds: number): number {
  let total = 0;
  let times = 0;
  while (total < seconds * 1000) total += retryDelay(++times);
  return times;
}

/**
 * Parses `redis://[user:password@]host[:port][/db]` or `rediss://...` (TLS, with the system's
 * certificate authorities; `NODE_EXTRA_CA_CERTS` adds a private one) into ioredis options.
 * Reconnects are bounded: after `reconnectSeconds` without Redis the connection ends and every
 * waiting command fails, so nothing hangs. Throws `QUEUE_URL` for anything else.
 *
 * @example parseQueueUrl('redis://:secret@10.0.0.5:6379/2').shown // 'redis://:***@10.0.0.5:6379/2'
 */
export function parseQueueUrl(url: string, options: AddressOptions = {}): QueueAddress {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DistributedError('QUEUE_URL', `--queue ${redactUrl(url)} is not a URL; expected redis://HOST:PORT (or rediss:// for TLS, redis://:PASSWORD@HOST:PORT/DB)`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new DistributedError('QUEUE_URL', `--queue ${redactUrl(url)}: the scheme is ${parsed.protocol.replace(/:$/, '')}, expected redis:// or rediss:// (TLS)`);
  }
  if (!parsed.hostname) throw new DistributedError('QUEUE_URL', `--queue ${redactUrl(url)} names no host; expected redis://HOST:PORT`);
  const db = parsed.pathname && parsed.pathname !== '/' ? Number(parsed.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0) throw new DistributedError('QUEUE_URL', `--queue ${redactUrl(url)}: the database ${parsed.pathname.slice(1)} is not a whole number >= 0 (redis://HOST:PORT/DB)`);
  const tls = parsed.protocol === 'rediss:';
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  const reconnectSeconds = options.reconnectSeconds ?? 60;
  const attempts = attemptsWithin(reconnectSeconds);
  const connection: RedisOptions = {
    host,
    port: parsed.port ? Number(parsed.port) : 6379,
    db,
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(tls ? { tls: { servername: host } } : {}),
    // BullMQ's workers need commands to wait through a reconnect; the retry strategy bounds it
    maxRetriesPerRequest: null,
    connectTimeout: 10000,
    retryStrategy: (times: number) => (times > attempts ? null : retryDelay(times)),
  };
  return { shown: redactUrl(url), connection, reconnectSeconds };
}

/**
 * `text` with the password of every URL in it (`scheme://user:password@...`, a mistyped scheme
 * too) replaced by `***`.
 *
 * @example redactUrl('cannot reach redis://u:pw@h:1') // 'cannot reach redis://u:***@h:1'
 */
export function redactUrl(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)[^@\s]*@/gi, '$1***@');
}
