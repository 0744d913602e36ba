/** A label value: strings are kept as they are; numbers and booleans are recorded as their text (`200`, `true`). */
export type LabelValue = string | number | boolean;

/** Labels given as an object instead of key/value arguments: `counter('x', { method: 'GET', status: 200 })`. */
export type Labels = Readonly<Record<string, LabelValue>>;
