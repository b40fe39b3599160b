import { describe, expect, it } from 'vitest';
import { isLoopbackHost, parseRedisUrl, redactRedisUrl, RedisUrlError } from './redisUrl';
import { resolveRedis } from './connectCluster';

describe('parseRedisUrl', () => {
  it('reads host, port, database, ACL user and password; TLS for rediss://', () => {
    expect(parseRedisUrl('redis://127.0.0.1:6390/2')).toMatchObject({ options: { host: '127.0.0.1', port: 6390, db: 2 }, tls: false, loopback: true });
    const acl = parseRedisUrl('rediss://trainer:s%40cret@redis.lab.example:6380');
    expect(acl.options).toMatchObject({ host: 'redis.lab.example', port: 6380, username: 'trainer', password: 's@cret', tls: { servername: 'redis.lab.example' } });
    expect(parseRedisUrl('redis://:hunter2@10.0.0.5').options).toMatchObject({ password: 'hunter2', port: 6379 });
    expect(parseRedisUrl('redis://hunter2@10.0.0.5').options).toMatchObject({ password: 'hunter2' });
    expect(parseRedisUrl('redis://localhost').options).not.toHaveProperty('password');
  });

  it('refuses a plain-text URL without a password to another machine, unless allowed', () => {
    expect(() => parseRedisUrl('redis://redis.lab.example')).toThrow(/no password and reaches another machine without TLS.*--allow-insecure-redis/);
    expect(parseRedisUrl('redis://redis.lab.example', true).options).toMatchObject({ host: 'redis.lab.example' });
    // A password, TLS or this machine: accepted.
    expect(() => parseRedisUrl('redis://:pw@redis.lab.example')).not.toThrow();
    expect(() => parseRedisUrl('rediss://redis.lab.example')).not.toThrow();
    for (const host of ['127.0.0.1', '127.3.4.5', 'localhost', '[::1]']) expect(() => parseRedisUrl(`redis://${host}:6379`)).not.toThrow();
  });

  it('says what is wrong with a URL that is not one, never repeating its secret', () => {
    const cases: Array<[string, RegExp]> = [
      ['http://:topsecret@redis.lab.example', /starts with http:\/\/; use redis:\/\/ or rediss:\/\//],
      ['redis://:topsecret@redis.lab.example/99', /database "99"; a Redis database is a number from 0 to 15/],
      ['not a url topsecret@x', /^The Redis URL given is not a URL/],
    ];
    for (const [url, message] of cases) {
      let error: unknown;
      try {
        parseRedisUrl(url);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(RedisUrlError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toContain('topsecret');
    }
  });
});

describe('redactRedisUrl', () => {
  it('replaces the password (or the password-only user part) and keeps the rest', () => {
    expect(redactRedisUrl('redis://trainer:pw@host:6379/1')).toBe('redis://trainer:***@host:6379/1');
    expect(redactRedisUrl('redis://:pw@host')).toBe('redis://:***@host');
    expect(redactRedisUrl('redis://pw@host')).toBe('redis://***@host');
    expect(redactRedisUrl('redis://host:6379')).toBe('redis://host:6379');
    expect(parseRedisUrl('rediss://u:pw@host').display).toBe('rediss://u:***@host');
  });
});

describe('isLoopbackHost', () => {
  it('knows this machine from others', () => {
    expect(['localhost', '127.0.0.1', '::1', '[::1]'].map(isLoopbackHost)).toEqual([true, true, true, true]);
    expect(['10.0.0.1', 'redis', '128.0.0.1', 'localhost.example.com'].map(isLoopbackHost)).toEqual([false, false, false, false]);
  });
});

describe('resolveRedis', () => {
  const settings = (url: string | null) => ({ get: () => url }) as never;
  it('takes --redis, then MOSEI_REDIS_URL, then the saved setting; none: null', () => {
    expect(resolveRedis('redis://127.0.0.1:1', { MOSEI_REDIS_URL: 'redis://127.0.0.1:2' }, settings('redis://127.0.0.1:3'))?.options.port).toBe(1);
    expect(resolveRedis(undefined, { MOSEI_REDIS_URL: 'redis://127.0.0.1:2' }, settings('redis://127.0.0.1:3'))?.options.port).toBe(2);
    expect(resolveRedis(undefined, {}, settings('redis://127.0.0.1:3'))?.options.port).toBe(3);
    expect(resolveRedis(undefined, {}, settings(null))).toBeNull();
  });
  it('names where a bad URL came from', () => {
    expect(() => resolveRedis(undefined, { MOSEI_REDIS_URL: 'redis://lab-redis' }, null)).toThrow(/^MOSEI_REDIS_URL: redis:\/\/lab-redis\/? has no password/);
  });
});
