import { describe, expect, it } from 'vitest';
import { baseUrl } from './base-url.ts';

describe('baseUrl', () => {
  it('puts an IPv6 address in brackets and leaves names and IPv4 addresses as they are', () => {
    expect([baseUrl('::1', 8000), baseUrl('127.0.0.1', 80), baseUrl('localhost', 0)]).toEqual([
      'http://[::1]:8000/',
      'http://127.0.0.1:80/',
      'http://localhost:0/',
    ]);
  });
});
