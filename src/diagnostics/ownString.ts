/**
 * A copy of `value` that holds no reference to any other string. V8 represents a `slice` of 13 or more characters as
 * a view into its parent and a concatenation as a pair of its parts, so keeping such a string keeps the parent alive:
 * a 40-character slice of a 1 MB request body costs 1 MB for as long as it is kept. Anything the library keeps
 * (cache and table keys, series labels, span parts queued for export, remembered messages) goes through here once,
 * when it is stored.
 *
 * How: a concatenation is flattened into a new string when it is sliced, and the slice then points into that new
 * string, one character longer than `value`, and never into `value`'s parent. About 40 ns for a short string, a
 * quarter of a round trip through a Buffer; a test of the heap (test/api/bounded-bytes.test.ts) keeps it honest.
 */
export function ownString(value: string): string {
  // V8 makes neither slices nor concatenations shorter than 13 characters: such a string is its own already.
  return value.length < 13 ? value : ` ${value}`.slice(1);
}

/**
 * An owned copy of `value` for use as a `Map` key that callers' strings are looked up against on a hot path: the
 * internalized string, so that a lookup with the caller's literal compares pointers, not characters (28 ns against
 * 6 ns a lookup with a sliced copy). Internalizing copies a sliced or concatenated string, so it pins nothing either.
 * About 200 ns: for what is stored once (a metric name, a cached path).
 */
export function ownKey(value: string): string {
  // A property key is internalized; Object.keys hands it back (array indices such as '200' as a fresh flat string).
  return Object.keys({ [value]: 0 })[0];
}
