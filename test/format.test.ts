import { describe, expect, test } from 'vitest';
import { cleanSum, formatCount, formatUsd } from '../src/base/money.js';

describe('formatUsd', () => {
  test.each([
    [0, '$0.00'],
    [1.23, '$1.23'],
    [1.005, '$1.01'],
    [1.004999, '$1.00'],
    [0.125, '$0.13'],
    [2.675, '$2.68'],
    [10, '$10.00'],
    [1234567.891, '$1,234,567.89'],
    [0.004, '<$0.01'],
    [0.0049999, '<$0.01'],
    [0.005, '$0.01'],
    [1e-9, '<$0.01'],
    [-1.5, '-$1.50'],
    [-0.001, '>-$0.01'],
    [7.681930000000001, '$7.68'],
  ])('%s → %s', (amount, expected) => {
    expect(formatUsd(amount)).toBe(expected);
  });

  test('never prints a negative zero', () => {
    expect(formatUsd(-0)).toBe('$0.00');
  });
});

describe('formatCount', () => {
  test.each([
    [0, '0'],
    [42, '42'],
    [1234, '1,234'],
    [1234567, '1,234,567'],
  ])('%s → %s', (value, expected) => expect(formatCount(value)).toBe(expected));
});

describe('cleanSum', () => {
  test('drops floating-point noise, keeps real digits', () => {
    expect(cleanSum(0.1 + 0.2)).toBe(0.3);
    expect(cleanSum(10 - 2.32)).toBe(7.68);
    expect(cleanSum(0.000123456789)).toBe(0.000123456789);
    expect(cleanSum(123456.123456)).toBe(123456.123456);
  });
});

test('absurd amounts still print as plain numbers', () => {
  expect(formatUsd(1.797693134862316e306)).toMatch(/^\$1,797,693,134,862,31\d(,\d{3})+\.00$/);
  expect(formatUsd(-1e20)).toBe('-$100,000,000,000,000,000,000.00');
});
