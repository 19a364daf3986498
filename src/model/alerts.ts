import { CliError, type Failure } from '../base/errors.js';

export interface Thresholds {
  minBalance?: number | undefined;
  maxToday?: number | undefined;
  maxMonth?: number | undefined;
  maxForecast?: number | undefined;
}

export interface Alert {
  threshold: 'min-balance' | 'max-today' | 'max-month' | 'max-forecast';
  limit: number;
  actual: number;
  /** How far past the threshold, in USD (always positive). */
  by: number;
  /** Whose figure: `account` or `this key`. */
  scope: string;
}

/** A figure a threshold tests: the value, or why there is none (the error to exit with). */
export type Figure = { value: number; scope: string } | { missing: Failure };

/**
 * Checks each threshold against its figure. A threshold whose figure could not be had is an error,
 * never a silent pass: a cron job must not read "no alert" when it could not look.
 */
export function checkThresholds(thresholds: Thresholds, figures: { balance: Figure; today: Figure; month: Figure; forecast?: Figure }): Alert[] {
  const alerts: Alert[] = [];
  const check = (
    threshold: Alert['threshold'],
    limit: number | undefined,
    figure: Figure,
    crossed: (value: number, limit: number) => boolean,
    what: string,
  ): void => {
    if (limit === undefined) return;
    if ('missing' in figure) {
      throw new CliError(figure.missing.kind, `--${threshold} needs ${what}, which is unavailable: ${figure.missing.message}`, {
        ...(figure.missing.endpoint ? { endpoint: figure.missing.endpoint } : {}),
      });
    }
    if (!crossed(figure.value, limit)) return;
    alerts.push({ threshold, limit, actual: figure.value, by: Math.abs(figure.value - limit), scope: figure.scope });
  };
  check('min-balance', thresholds.minBalance, figures.balance, (v, limit) => v < limit, 'the balance');
  check('max-today', thresholds.maxToday, figures.today, (v, limit) => v > limit, "today's spend");
  check('max-month', thresholds.maxMonth, figures.month, (v, limit) => v > limit, "this month's spend");
  if (figures.forecast) check('max-forecast', thresholds.maxForecast, figures.forecast, (v, limit) => v > limit, 'the month-end projection');
  return alerts;
}
