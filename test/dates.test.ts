import { describe, expect, test } from 'vitest';
import { addDays, completedDaysWindow, daysBetween, utcDay } from '../src/base/time.js';

describe('UTC day windows', () => {
  test('the window ends yesterday (UTC) and spans exactly N days', () => {
    expect(completedDaysWindow(new Date('2026-03-10T12:00:00Z'), 7)).toEqual({ from: '2026-03-03', to: '2026-03-09' });
    expect(completedDaysWindow(new Date('2026-03-10T12:00:00Z'), 1)).toEqual({ from: '2026-03-09', to: '2026-03-09' });
  });

  test('a moment before and after UTC midnight fall on different days', () => {
    expect(completedDaysWindow(new Date('2026-03-10T23:59:59.999Z'), 1)).toEqual({ from: '2026-03-09', to: '2026-03-09' });
    expect(completedDaysWindow(new Date('2026-03-11T00:00:00.000Z'), 1)).toEqual({ from: '2026-03-10', to: '2026-03-10' });
  });

  test('local time zones do not move the UTC day', () => {
    // 01:30 in UTC+2 is still the previous UTC day.
    expect(utcDay(new Date('2026-03-11T01:30:00+02:00'))).toBe('2026-03-10');
  });

  test('windows cross month and year ends and leap days', () => {
    expect(completedDaysWindow(new Date('2026-01-02T08:00:00Z'), 3)).toEqual({ from: '2025-12-30', to: '2026-01-01' });
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2027-02-28', 1)).toBe('2027-03-01');
    expect(completedDaysWindow(new Date('2026-11-25T00:00:00Z'), 30)).toEqual({ from: '2026-10-26', to: '2026-11-24' });
  });

  test('daysBetween counts whole days', () => {
    expect(daysBetween('2025-08-25', '2026-11-25')).toBe(457);
    expect(daysBetween('2026-11-25', '2026-11-25')).toBe(0);
  });
});
