'use strict';
/*
 * Preloaded (`node --require`) into a child process to make it one where the OpenTelemetry gRPC exporters are not
 * installed: Node's resolver fails for them exactly as it does for a package that is not there (MODULE_NOT_FOUND).
 */
const Module = require('node:module');

const HIDDEN = ['@opentelemetry/exporter-metrics-otlp-grpc', '@opentelemetry/exporter-trace-otlp-grpc'];
const resolveFilename = Module._resolveFilename;

Module._resolveFilename = function resolveWithoutGrpcExporters(request, ...rest) {
  if (HIDDEN.some((name) => request === name || request.startsWith(`${name}/`))) {
    const error = new Error(`Cannot find module '${request}'`);
    error.code = 'MODULE_NOT_FOUND';
    throw error;
  }
  return resolveFilename.call(this, request, ...rest);
};
