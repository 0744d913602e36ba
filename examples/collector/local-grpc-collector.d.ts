import { LocalCollector } from './local-collector';

/** How a LocalGrpcCollector is built. */
export interface GrpcCollectorOptions {
  /** grpc-js refuses request messages larger than this with RESOURCE_EXHAUSTED. */
  maxReceiveMessageLength?: number;
  /** Serve over TLS; with `requireClientCertificate`, mutual TLS. */
  tls?: { key: Buffer; cert: Buffer; ca?: Buffer; requireClientCertificate?: boolean };
}

/** A loopback OTLP/gRPC collector (a real @grpc/grpc-js server) that decodes with the official protobuf definitions. */
export declare class LocalGrpcCollector extends LocalCollector {
  constructor(options?: GrpcCollectorOptions);
}

/** gRPC status codes, from @grpc/grpc-js. */
export declare const grpcStatus: Record<string, number>;
