/**
 * `circuit-breaker`: a service without the deployment circuit breaker keeps replacing tasks of a
 * deployment that never becomes healthy, instead of failing it (and rolling back). Checked on the
 * service as it will be created: after cluster.yaml's serviceDefaults, for .service files and
 * AUTOCREATE.SERVICE alike.
 */
import { isPlainObject } from '../spec-helpers';
import type { LintRule, ServiceSubject } from './lint-types';

const BREAKER = 'deploymentCircuitBreaker: { enable: true, rollback: true }';

function whereToSet(svc: ServiceSubject): string {
  if (svc.autocreated) {
    return `set deploymentConfiguration.${BREAKER} in cluster.yaml serviceDefaults`;
  }
  if (svc.ownFields.includes('deploymentConfiguration')) {
    return `set ${BREAKER} in this file's deploymentConfiguration (it replaces cluster.yaml's)`;
  }
  return `set deploymentConfiguration.${BREAKER} here or in cluster.yaml serviceDefaults`;
}

export const circuitBreaker: LintRule = {
  id: 'circuit-breaker',
  service(svc) {
    // The breaker exists for the ECS rolling deployment controller only.
    const controller = svc.body.deploymentController;
    const type = isPlainObject(controller) ? controller.type : undefined;
    if (type !== undefined && type !== 'ECS') return [];
    const config = svc.body.deploymentConfiguration;
    const breaker = isPlainObject(config) ? config.deploymentCircuitBreaker : undefined;
    const enable = isPlainObject(breaker) ? breaker.enable : undefined;
    if (enable === true) return [];
    const what = svc.autocreated
      ? `the service "${svc.name}" that AUTOCREATE.SERVICE creates`
      : `service "${svc.name}"`;
    return [
      {
        path: ['deploymentConfiguration', 'deploymentCircuitBreaker', 'enable'],
        message:
          `${what} ${enable === false ? 'turns the deployment circuit breaker off' : 'has no deployment circuit breaker'} ` +
          `(a deployment that never gets healthy is retried forever, never rolled back): ${whereToSet(svc)}`,
      },
    ];
  },
};
