/** The demo cluster used by the planner scenarios: two task definitions, two services. */
import type { ClusterConfig, DesiredState } from '../../controller/model/desired';
import type { ObservedState } from '../../controller/model/observed';
import type { ServiceBody } from '../../controller/model/desired';
import {
  accountWithCluster,
  clusterConfig,
  desiredState,
  desiredTags,
  liveService,
  service,
  taskDef,
  taskDefinitionArn,
  withFamily,
  withService,
} from './builders';
import { webAws, webSpec } from './fixtures';

export const apiSpec = () => ({
  containerDefinitions: [
    { name: 'api', image: 'example/api:2.1.0', memory: 512, portMappings: [{ containerPort: 8080 }] },
  ],
});

/** DescribeTaskDefinition for `apiSpec()`, written by hand. */
export const apiAws = (revision: number) => ({
  taskDefinitionArn: taskDefinitionArn('demo-api', revision),
  containerDefinitions: [
    {
      name: 'api',
      image: 'example/api:2.1.0',
      cpu: 0,
      memory: 512,
      portMappings: [{ containerPort: 8080, hostPort: 0, protocol: 'tcp' as const }],
      essential: true,
      environment: [],
      mountPoints: [],
      volumesFrom: [],
      systemControls: [],
    },
  ],
  family: 'demo-api',
  revision,
  volumes: [],
  status: 'ACTIVE' as const,
  placementConstraints: [],
  compatibilities: ['EXTERNAL' as const, 'EC2' as const],
});

export interface DemoOptions {
  cfg?: ClusterConfig;
  webImage?: string;
  webBody?: ServiceBody;
  apiBody?: ServiceBody;
}

export function demoDesired(o: DemoOptions = {}): DesiredState {
  const cfg = o.cfg ?? clusterConfig();
  return desiredState(
    cfg,
    [taskDef(cfg, 'web', webSpec(o.webImage)), taskDef(cfg, 'api', apiSpec())],
    [
      service(cfg, 'web', { body: o.webBody ?? { launchType: 'EC2' } }),
      service(cfg, 'api', { body: o.apiBody ?? { launchType: 'EC2', desiredCount: 2 } }),
    ],
  );
}

/** The account after the demo cluster was applied: demo-web:3, demo-api:5, both services running them. */
export function demoRunning(cfg: ClusterConfig = clusterConfig()): ObservedState {
  const o = accountWithCluster(cfg);
  withFamily(o, webAws('demo-web', 3), desiredTags(cfg, `${cfg.dir}/web.taskdef`));
  withFamily(o, apiAws(5), desiredTags(cfg, `${cfg.dir}/api.taskdef`));
  withService(
    o,
    liveService(cfg, 'web', taskDefinitionArn('demo-web', 3)),
    desiredTags(cfg, `${cfg.dir}/web.service`),
  );
  withService(
    o,
    liveService(cfg, 'api', taskDefinitionArn('demo-api', 5), { desiredCount: 2 }),
    desiredTags(cfg, `${cfg.dir}/api.service`),
  );
  return o;
}
