import type { Logger } from '@ricochet/core';
import { startServiceHttp, type ServiceMetrics } from '@ricochet/observability';
import type { ServiceConfig } from '@ricochet/service-config';
import type { ExitCodeValue } from '../../exit-codes.js';
import { runUntilSignalled, type RunnableService } from '../../service.js';

/** A service that can say whether it is connected, joined and assigned partitions. */
export interface ObservableService extends RunnableService {
  readiness(): { ready: boolean; reason?: string };
}

/**
 * Serves /healthz, /readyz and /metrics for the whole life of the service (from before it joins
 * its group, so /readyz can say "not yet"), runs it until signalled, then closes the endpoints.
 * Port 0 in the settings means no HTTP server.
 */
export async function runObserved(
  service: ObservableService,
  metrics: ServiceMetrics,
  config: Pick<ServiceConfig, 'http' | 'shutdownTimeoutMs'>,
  logger: Logger,
): Promise<ExitCodeValue> {
  const http =
    config.http.port === 0
      ? undefined
      : await startServiceHttp({
          host: config.http.host,
          port: config.http.port,
          metrics,
          readiness: () => service.readiness(),
          logger,
        });
  try {
    return await runUntilSignalled(service, logger, {
      shutdownTimeoutMs: config.shutdownTimeoutMs,
    });
  } finally {
    await http?.close();
  }
}
