import { attemptsWithin, parseQueueUrl, redactUrl } from './connection';
import { Submission } from './submission';
import { freePort } from './testing/redis-server';

describe('parseQueueUrl', () => {
  it('reads host, port, db, user and password; rediss:// turns TLS on; the password is never shown', () => {
    const a = parseQueueUrl('redis://worker:s3cr%40t@10.0.0.5:6380/2');
    expect(a.connection).toMatchObject({ host: '10.0.0.5', port: 6380, db: 2, username: 'worker', password: 's3cr@t', maxRetriesPerRequest: null });
    expect(a.connection.tls).toBeUndefined();
    expect(a.shown).toBe('redis://worker:***@10.0.0.5:6380/2');
    const b = parseQueueUrl('rediss://:pw@redis.example:6379');
    expect(b.connection).toMatchObject({ host: 'redis.example', port: 6379, db: 0, password: 'pw', tls: { servername: 'redis.example' } });
    expect(b.shown).not.toContain('pw');
    expect(parseQueueUrl('redis://127.0.0.1').connection.port).toBe(6379);
  });

  it('refuses other schemes, no host, a bad database, with QUEUE_URL and without the password', () => {
    for (const url of ['http://h:1', 'not a url', 'redis:///0', 'redis://:pw@h:1/x']) {
      let error: unknown;
      try {
        parseQueueUrl(url);
      } catch (e) {
        error = e;
      }
      expect(error).toMatchObject({ code: 'QUEUE_URL' });
      expect((error as Error).message).not.toContain(':pw@');
    }
  });

  it('redacts every redis URL in a text', () => {
    expect(redactUrl('a redis://u:p@h:1 and rediss://:x@y:2/3 b')).toBe('a redis://u:***@h:1 and rediss://:***@y:2/3 b');
    expect(redactUrl('redis://h:1')).toBe('redis://h:1');
    expect(redactUrl('--queue http://:pw@h:1 is wrong')).toBe('--queue http://:***@h:1 is wrong');
  });

  it('bounds reconnects: the retry delays add up to the reconnect time, then the strategy gives up', () => {
    const a = parseQueueUrl('redis://h:1', { reconnectSeconds: 3 });
    const retry = a.connection.retryStrategy as (times: number) => number | null;
    let total = 0;
    let times = 1;
    for (; retry(times) !== null; times++) total += retry(times) as number;
    expect(times - 1).toBe(attemptsWithin(3));
    expect(total).toBeGreaterThanOrEqual(3000);
    expect(total).toBeLessThan(4000);
  });

  it('a Redis that is not there: QUEUE_UNREACHABLE after the reconnect time, not a hang', async () => {
    const port = await freePort(); // nothing listens there
    const started = Date.now();
    await expect(Submission.open(parseQueueUrl(`redis://:pw@127.0.0.1:${port}`, { reconnectSeconds: 1 }))).rejects.toMatchObject({
      code: 'QUEUE_UNREACHABLE',
      message: expect.not.stringContaining(':pw@'),
    });
    expect(Date.now() - started).toBeLessThan(15000);
  });
});
