/**
 * Exhaustiveness check for switches over unions.
 *
 * Every `switch` over a union type ends with `default: return assertNever(x)`, so adding a member to the
 * union becomes a compile error at each place that has to handle it.
 */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`Unexpected ${what}: ${JSON.stringify(value)}`);
}
