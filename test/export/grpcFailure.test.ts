import { grpcFailure, isTooLarge } from '../../src/export/ExportFailure';

describe('grpcFailure: a gRPC status as an ExportFailure', () => {
  it('UNAVAILABLE is a connection failure, retried, with the system error code the details name', () => {
    const failure = grpcFailure(14, 'No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:4317. Resolution note: ', 1000);
    expect(failure).toEqual({
      kind: 'network', code: 'ECONNREFUSED', grpcStatus: 'UNAVAILABLE', retryable: true,
      detail: 'gRPC UNAVAILABLE: No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:4317',
    });
    expect(grpcFailure(14, 'Connection dropped', 1000)).toMatchObject({ kind: 'network', code: 'UNAVAILABLE' });
  });

  it('DEADLINE_EXCEEDED is a timeout within the attempt\'s time, keeping grpc-js\'s account of it', () => {
    expect(grpcFailure(4, 'Deadline exceeded after 0.301s,LB pick: 0.001s', 300)).toEqual({
      kind: 'timeout', grpcStatus: 'DEADLINE_EXCEEDED', retryable: true,
      detail: 'no answer within 300 ms (timeout): gRPC DEADLINE_EXCEEDED, Deadline exceeded after 0.301s,LB pick: 0.001s',
    });
  });

  it.each([
    'Received message larger than max (8113 vs. 8000)',
    'Received message that decompresses to a size larger than 8000',
    'grpc: received message larger than max (5000000 vs. 4194304)',
    'message too large',
  ])('RESOURCE_EXHAUSTED over the message size is "too large" (split, like HTTP 413), not retried: %s', (details) => {
    const failure = grpcFailure(8, details, 1000);
    expect(failure).toMatchObject({ kind: 'grpc', grpcStatus: 'RESOURCE_EXHAUSTED', tooLarge: true, retryable: false });
    expect(isTooLarge(failure)).toBe(true);
  });

  it('other RESOURCE_EXHAUSTED is retried only when the server sent RetryInfo', () => {
    expect(grpcFailure(8, 'memory limit reached', 1000)).toMatchObject({ tooLarge: undefined, retryable: false });
    expect(grpcFailure(8, 'memory limit reached', 1000, true)).toMatchObject({ tooLarge: undefined, retryable: true });
    expect(isTooLarge(grpcFailure(8, 'memory limit reached', 1000))).toBe(false);
  });

  it.each([
    [1, 'CANCELLED', true], [10, 'ABORTED', true], [11, 'OUT_OF_RANGE', true], [15, 'DATA_LOSS', true],
    [3, 'INVALID_ARGUMENT', false], [7, 'PERMISSION_DENIED', false], [12, 'UNIMPLEMENTED', false], [13, 'INTERNAL', false],
    [16, 'UNAUTHENTICATED', false], [2, 'UNKNOWN', false],
  ])('status %i is %s, retried: %s (the OTLP specification\'s list)', (code, name, retryable) => {
    expect(grpcFailure(code, 'why', 1000)).toEqual({ kind: 'grpc', grpcStatus: name, tooLarge: undefined, retryable, detail: `gRPC ${name} (${code}): why` });
  });

  it('a code outside the protocol\'s is named by its number; server text is made printable and bounded', () => {
    expect(grpcFailure(42, '', 1000).detail).toBe('gRPC status 42 (42)');
    const detail = grpcFailure(13, `bad\n\u001b[31mred${'x'.repeat(1000)}`, 1000).detail;
    expect(detail).toMatch(/^gRPC INTERNAL \(13\): bad \?\[31mredx+\.\.\.$/);
    expect(detail.length).toBeLessThan(340);
  });

  it('HTTP 413 is too large as before', () => {
    expect(isTooLarge({ kind: 'http', status: 413, retryable: false, detail: 'HTTP 413' })).toBe(true);
    expect(isTooLarge({ kind: 'http', status: 400, retryable: false, detail: 'HTTP 400' })).toBe(false);
  });
});
