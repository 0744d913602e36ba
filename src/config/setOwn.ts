/**
 * Sets an own property of a plain object whose keys come from the user, `__proto__` included: that one is defined
 * rather than assigned (assigning it would set the prototype and lose the entry). Every other key, `constructor`
 * and `toString` included, is an ordinary assignment, which keeps the object fast.
 */
export function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}
