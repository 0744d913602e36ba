import type { RE2JS } from 're2js';
import { TelemetryConfigError } from './TelemetryConfigError';

/** A compiled custom PII pattern: matched in time linear in the value's length, whatever the pattern. */
export interface PiiPattern {
  /** The pattern as the user gave it, for messages. */
  readonly source: string;
  /** Whether the pattern matches anywhere in `text`. */
  test(text: string): boolean;
}

/** JavaScript RegExp flags that change what an RE2 pattern matches; the others (g, y, d, u, v) do not apply to a test. */
const FLAG_NAMES = { i: 'CASE_INSENSITIVE', m: 'MULTILINE', s: 'DOTALL' } as const;

/**
 * Compiles `piiPatterns` with RE2 (the `re2js` port), an automaton-based engine whose matching time is linear in
 * the input for every pattern, so no pattern can block the event loop on a crafted value, however it nests or
 * overlaps (`(a+)+`, `(\w|\d)+$`, `\d*\d*\d*x`). Strings are compiled as patterns; a RegExp is compiled from its
 * source and its `i`, `m` and `s` flags. A pattern RE2 cannot take (backreferences, lookaround) or an invalid one
 * is refused with a TelemetryConfigError naming its index.
 */
export function compilePiiPatterns(patterns: unknown): PiiPattern[] {
  if (!Array.isArray(patterns)) throw new TelemetryConfigError('piiPatterns', patterns, 'an array of regular expressions or strings');
  if (patterns.length === 0) return [];
  // Loaded only when there are patterns to compile: most services have none, and the engine costs a few ms to load.
  const engine = (require('re2js') as typeof import('re2js')).RE2JS;
  return patterns.map((pattern: unknown, i): PiiPattern => {
    let source: string;
    let flags = 0;
    if (pattern instanceof RegExp) {
      source = pattern.source;
      for (const flag of pattern.flags) if (flag in FLAG_NAMES) flags |= engine[FLAG_NAMES[flag as keyof typeof FLAG_NAMES]];
    } else if (typeof pattern === 'string' && pattern !== '') {
      source = pattern;
    } else {
      throw new TelemetryConfigError(`piiPatterns[${i}]`, pattern, 'a RegExp or a non-empty regular expression string');
    }
    let compiled: RE2JS;
    try {
      compiled = engine.compile(source, flags);
    } catch (error) {
      throw new TelemetryConfigError(`piiPatterns[${i}]`, pattern,
        'a regular expression RE2 accepts, which runs in linear time: no backreferences (\\1) and no lookaround ' +
          `((?=, (?!, (?<=, (?<!) (${(error as Error).message})`);
    }
    return { source, test: (text) => compiled.test(text) };
  });
}
