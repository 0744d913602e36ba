/**
 * A copy of `value` that holds no reference to any other string. V8 represents a `slice` of 13 or more characters as
 * a view into its parent and a concatenation as a pair of its parts, so keeping such a string keeps the parent alive:
 * a 40-character slice of a 1 MB request body costs 1 MB for as long as it is kept. Anything the library keeps
 * (cache and table keys, series labels, remembered messages) goes through here first, once, when it is stored.
 */
export function ownString(value: string): string {
  return value.length === 0 ? '' : Buffer.from(value, 'utf16le').toString('utf16le');
}
