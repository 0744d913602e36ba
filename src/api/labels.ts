/** Labels given as an object instead of key/value arguments: `counter('x', { method: 'GET' })`. */
export type Labels = Readonly<Record<string, string>>;
