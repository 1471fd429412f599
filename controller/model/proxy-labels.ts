import type { HealthCheckSettings } from './load-balancer';

/**
 * The container labels that route a container through the cluster's load balancer
 * (docs/load-balancer.md): read by the spec loader, written back by `export`. Names only.
 */
export const PROXY_HOST_LABEL = 'proxy.host';
export const PROXY_PORTS_LABEL = 'proxy.ports';
export const PROXY_DEREGISTRATION_LABEL = 'proxy.deregistration-delay';
export const PROXY_STICKINESS_LABEL = 'proxy.stickiness';

/** The health check labels, by the field of HealthCheckSettings each sets. */
export const HEALTH_CHECK_LABELS: Record<keyof HealthCheckSettings, string> = {
  path: 'proxy.healthcheck',
  matcher: 'proxy.healthcheck.matcher',
  intervalSeconds: 'proxy.healthcheck.interval',
  timeoutSeconds: 'proxy.healthcheck.timeout',
  healthyThresholdCount: 'proxy.healthcheck.healthy-threshold',
  unhealthyThresholdCount: 'proxy.healthcheck.unhealthy-threshold',
};
