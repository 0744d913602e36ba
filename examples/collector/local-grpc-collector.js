'use strict';
/*
 * A local OTLP/gRPC collector for the tests: a real @grpc/grpc-js server on 127.0.0.1 serving the Export methods of
 * opentelemetry.proto.collector.metrics.v1.MetricsService and .trace.v1.TraceService. grpc-js undoes gzip; the
 * request messages are decoded, and the answers encoded, with the generated code of the official protocol
 * definitions, as LocalCollector does for OTLP/HTTP (whose reading methods, `latest()`, `spans()`, `waitFor()`, it
 * shares). It can misbehave on purpose: end calls with a gRPC status, accept and never answer, answer with a partial
 * success; and, built with `maxReceiveMessageLength`, grpc-js itself refuses larger messages (RESOURCE_EXHAUSTED).
 * It emits 'request' after answering each call it handled.
 */
const grpc = require('@grpc/grpc-js');
const { LocalCollector, proto } = require('./local-collector');

const SERVICES = [
  { path: '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export', as: '/v1/metrics',
    Response: proto.collector.metrics.v1.ExportMetricsServiceResponse, rejected: 'rejectedDataPoints' },
  { path: '/opentelemetry.proto.collector.trace.v1.TraceService/Export', as: '/v1/traces',
    Response: proto.collector.trace.v1.ExportTraceServiceResponse, rejected: 'rejectedSpans' },
];

class LocalGrpcCollector extends LocalCollector {
  /**
   * `maxReceiveMessageLength`: grpc-js refuses messages over it (as the Collector's max_recv_msg_size_mib does).
   * `tls`: { key, cert, ca, requireClientCertificate } to serve over TLS.
   */
  constructor(options = {}) {
    super();
    this.options = options;
    /**
     * How calls are answered: { kind: 'ok' } | { kind: 'grpcStatus', code, details } | { kind: 'hang' } |
     * { kind: 'partial', rejected, message }.
     */
    this.mode = { kind: 'ok' };
    this.grpcServer = undefined;
  }

  async start(port = this.port) {
    const serverOptions = {};
    if (this.options.maxReceiveMessageLength !== undefined) serverOptions['grpc.max_receive_message_length'] = this.options.maxReceiveMessageLength;
    const server = new grpc.Server(serverOptions);
    const bytes = (value) => value;
    for (const service of SERVICES) {
      const definition = {
        export: { path: service.path, requestStream: false, responseStream: false,
          requestSerialize: bytes, requestDeserialize: bytes, responseSerialize: bytes, responseDeserialize: bytes },
      };
      server.addService(definition, { export: (call, callback) => this.handleCall(service, call, callback) });
    }
    const tls = this.options.tls;
    const credentials = tls === undefined ? grpc.ServerCredentials.createInsecure()
      : grpc.ServerCredentials.createSsl(tls.ca ?? null, [{ private_key: tls.key, cert_chain: tls.cert }], tls.requireClientCertificate === true);
    this.port = await new Promise((resolve, reject) => {
      server.bindAsync(`127.0.0.1:${port}`, credentials, (error, bound) => (error ? reject(error) : resolve(bound)));
    });
    this.grpcServer = server;
    return this;
  }

  /**
   * The endpoint to configure, host and port only: http://127.0.0.1 (plaintext), or https://localhost (TLS: a TLS
   * client names the host it expects, and the name of an IP address is deprecated in Node).
   */
  get url() {
    return this.options.tls === undefined ? `http://127.0.0.1:${this.port}` : `https://localhost:${this.port}`;
  }

  get listening() {
    return this.grpcServer !== undefined;
  }

  /** Stops at once, ending every call (hung ones too) and connection: later exports are refused. */
  async stop() {
    const server = this.grpcServer;
    this.grpcServer = undefined;
    this.hung = [];
    server?.forceShutdown();
  }

  handleCall(service, call, callback) {
    this.requestCount++;
    const request = call.request;
    const entry = { path: service.as, bytes: request.length, status: 0, grpcCode: undefined };
    this.log.push(entry);
    const mode = this.mode;
    const answer = (error, response) => {
      entry.grpcCode = error === null ? grpc.status.OK : error.code;
      callback(error, response);
      this.emit('request', entry);
    };
    if (mode.kind === 'hang') {
      this.hung.push(call);
      this.emit('request', entry);
      return;
    }
    if (mode.kind === 'grpcStatus') {
      answer({ code: mode.code, details: mode.details ?? 'local collector refuses on purpose' });
      return;
    }
    try {
      this.receive(service.as, request, call.metadata.getMap());
    } catch (error) {
      answer({ code: grpc.status.INVALID_ARGUMENT, details: String(error) });
      return;
    }
    const partialSuccess = mode.kind === 'partial' ? { [service.rejected]: mode.rejected, errorMessage: mode.message } : undefined;
    answer(null, Buffer.from(service.Response.encode(service.Response.create(partialSuccess === undefined ? {} : { partialSuccess })).finish()));
  }
}

module.exports = { LocalGrpcCollector, grpcStatus: grpc.status };
