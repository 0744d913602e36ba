/**
 * The known name closest to `name` by edit distance (case ignored), if it is close enough to be a typo: at most a
 * third of the longer name's letters, and at most 4, away. For "did you mean exportIntervalMs?".
 */
export function closest(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const lower = name.toLowerCase().slice(0, 64);
  for (const candidate of known) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  if (best === undefined) return undefined;
  const allowed = Math.min(4, Math.ceil(Math.max(lower.length, best.length) / 3));
  return bestDistance <= allowed ? best : undefined;
}

/** Levenshtein distance, in O(a × b) on names cut to 64 characters. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
