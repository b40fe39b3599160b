import { describe, expect, it } from 'vitest';
import { parseRequestTarget } from './requestTarget';

describe('parseRequestTarget', () => {
  it('reads the decoded path and the query of an origin-form target', () => {
    const target = parseRequestTarget('/assets/a%20b.js?token=abc&x=1');
    expect(target?.path).toBe('/assets/a b.js');
    expect(target?.query.get('token')).toBe('abc');
  });

  it('keeps "//" and "//host/x" as paths instead of reading a host from them', () => {
    expect(parseRequestTarget('//')?.path).toBe('//');
    expect(parseRequestTarget('//evil.example/x?token=t')).toMatchObject({ path: '//evil.example/x' });
    expect(parseRequestTarget('//evil.example/x?token=t')?.query.get('token')).toBe('t');
  });

  it('is null for what the bridge answers 400: other target forms, bad escapes, NUL', () => {
    for (const raw of [undefined, '', '*', 'index.html', '127.0.0.1:80', 'http://127.0.0.1:99999/', 'http://127.0.0.1/', '/%E0%A4%A', '/%', '/%zz', '/a%00b']) {
      expect(parseRequestTarget(raw), String(raw)).toBeNull();
    }
  });

  it('leaves a bad escape in the query to URLSearchParams, which decodes it leniently (a wrong token, not an error)', () => {
    expect(parseRequestTarget('/?token=%E0%A4%A')?.query.get('token')).toBe('\ufffd%A');
  });
});
