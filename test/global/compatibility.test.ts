import { isCompatible } from '../../src/global/compatibility';

describe('isCompatible (the rule of @opentelemetry/api)', () => {
  it.each([
    ['0.2.0', '0.2.0', true],
    ['0.2.0', '0.2.3', true], // a newer patch below 1.0 has everything 0.2.0 calls
    ['0.2.3', '0.2.0', false],
    ['0.2.0', '0.3.0', false], // below 1.0 the minor acts as the major
    ['0.3.0', '0.2.9', false],
    ['1.2.0', '1.3.0', true],
    ['1.2.0', '1.2.7', true],
    ['1.3.0', '1.2.0', false],
    ['1.0.0', '2.0.0', false],
    ['0.2.0-rc.1', '0.2.0-rc.1', true],
    ['0.2.0-rc.1', '0.2.0', false],
    ['0.2.0', '0.2.1-rc.1', false],
    ['0.2.0', 'garbage', false],
    ['garbage', '0.2.0', false],
  ])('%s using a slot made by %s: %s', (own, global, expected) => {
    expect(isCompatible(own, global)).toBe(expected);
  });
});
