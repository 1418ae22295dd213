import { describe, expect, it } from 'vitest';
import { safeNext, withNext } from './routing';

describe('safeNext', () => {
  it.each([
    ['', '/'],
    ['?next=%2Faccount', '/account'],
    ['?next=/account?tab=1', '/account?tab=1'],
    ['?next=https%3A%2F%2Fevil.example', '/'],
    ['?next=%2F%2Fevil.example', '/'],
    ['?next=%2F%5Cevil.example', '/'],
    ['?next=account', '/'],
  ])('%s -> %s', (search, want) => {
    expect(safeNext(search)).toBe(want);
  });
});

describe('withNext', () => {
  it('adds next only when it is not the home page', () => {
    expect(withNext('/login', '/')).toBe('/login');
    expect(withNext('/login', '/account')).toBe('/login?next=%2Faccount');
  });
});
