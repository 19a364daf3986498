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
