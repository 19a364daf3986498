/**
 * Dollars to the cent, rounded half-up on the decimal value the API sent (so 1.005 is $1.01, not
 * the $1.00 binary floating point would give), and never a real amount shown as nothing.
 */
/** Half a cent: a difference smaller than this prints as $0.00, so it is no difference to the reader. */
export const HALF_CENT = 0.005;

export function formatUsd(amount: number): string {
  if (amount === 0) return '$0.00';
  if (Math.abs(amount) * 100 > Number.MAX_SAFE_INTEGER) {
    // Beyond exact cents; no real bill gets here, but an absurd answer must still print as a number.
    huge ??= new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    return `${amount < 0 ? '-' : ''}$${huge.format(Math.abs(amount))}`;
  }
  const cents = Math.round(Number((Math.abs(amount) * 100).toPrecision(12)));
  if (cents === 0) return amount > 0 ? '<$0.01' : '>-$0.01';
  const whole = Math.floor(cents / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const sign = amount < 0 ? '-' : '';
  return `${sign}$${whole}.${(cents % 100).toString().padStart(2, '0')}`;
}

// Made on first use: the first Intl object of a process costs about 10 ms, and no real bill needs it.
let huge: Intl.NumberFormat | undefined;

export function formatCount(value: number): string {
  return value.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * Drops binary floating-point noise from a sum (0.1 + 0.2 → 0.3) without rounding real digits:
 * 15 significant digits is more than any figure the API sends carries.
 */
export function cleanSum(value: number): number {
  return Number(value.toPrecision(15));
}

/**
 * Every figure the tool prints is a finite number. Each one the API sends is (JSON has no
 * Infinity), but sums and projections of absurd ones need not be: `1e308 + 1e308` is Infinity, and
 * Infinity or NaN on a screen or in a script's JSON is a lie. Finds the first figure that is not
 * finite and says where it sits, e.g. `runway.dailyAverage`, for the validation error.
 */
export function nonFiniteField(value: unknown, path = ''): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : path || 'a figure';
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = nonFiniteField(value[i], `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  // Plain objects only: an Outcome's error (a CliError) holds no figure.
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [name, item] of Object.entries(value)) {
      const found = nonFiniteField(item, path ? `${path}.${name}` : name);
      if (found) return found;
    }
  }
  return undefined;
}
