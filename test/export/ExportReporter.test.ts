import { Diagnostics } from '../../src/diagnostics/Diagnostics';
import { httpFailure, networkFailure, otherFailure, timeoutFailure, type ExportFailure } from '../../src/export/ExportFailure';
import { ExportReporter } from '../../src/export/ExportReporter';
import { CapturingLogger } from '../support/CapturingLogger';

const URL = 'http://collector:4318/v1/metrics';

function firstReport(failure: ExportFailure, target = URL): string {
  const logger = new CapturingLogger();
  new ExportReporter('metrics', target, new Diagnostics(logger)).failed(failure);
  expect(logger.lines).toHaveLength(1);
  return logger.lines[0].message;
}

describe('the first failure report says what to check for its kind of failure', () => {
  const refused = Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:4318'), { code: 'ECONNREFUSED' });

  it.each<[string, ExportFailure, RegExp]>([
    ['a refused connection', networkFailure(refused), /ECONNREFUSED.*Check that the collector runs, is reachable from here/],
    ['our timeout', timeoutFailure(10_000), /within 10000 ms \(timeout\).*not overloaded, or allow a longer export timeout/],
    ['a 413 that could not be split', httpFailure(413, 'Payload Too Large', ''), /HTTP 413.*max_request_body_size/],
    ['a 401', httpFailure(401, 'Unauthorized', 'missing token'), /HTTP 401 Unauthorized: missing token.*credentials sent in headers/],
    ['a 404', httpFailure(404, 'Not Found', ''), /HTTP 404.*\/v1\/metrics and \/v1\/traces/],
    ['a 400', httpFailure(400, 'Bad Request', ''), /HTTP 400.*could not read the request/],
    ['a 500', httpFailure(500, 'Internal Server Error', ''), /HTTP 500.*its own logs say why/],
    ['TLS spoken to plain HTTP', networkFailure(Object.assign(new Error('write EPROTO 0080:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:../deps/openssl/ssl/record/ssl3_record.c:350:\n'), { code: 'EPROTO' })),
      /EPROTO .*ssl3_record\.c:350:\. .*TLS handshake failed/],
  ])('%s', (_what, failure, expected) => {
    const message = firstReport(failure);
    expect(message).toContain(`metrics export to ${URL} failed: ${failure.detail}.`);
    expect(message).toMatch(expected);
  });

  it('keeps newlines and control characters out of a connection error', () => {
    const failure = networkFailure(Object.assign(new Error('handshake\nfailed\u001b[31m'), { code: 'EPROTO' }));
    expect(failure.detail).toBe('handshake failed?[31m (EPROTO)');
  });

  it('gives no connection advice for a collector that answered 503, nor for a console exporter', () => {
    expect(firstReport(httpFailure(503, 'Service Unavailable', 'overloaded'))).not.toMatch(/Check|reachable/);
    expect(firstReport(otherFailure(new Error('stdout closed')), 'console')).not.toMatch(/Check|reachable/);
  });
});
