/**
 * Annotated starting points for new specs (replacing ecs-efs's `make templates`, which printed raw
 * aws-cli skeletons). Each one loads without errors; test/specfiles/starter-templates.test.ts checks it.
 */

export type StarterKind = 'taskdef' | 'service' | 'cluster';

/** Where editors find the schemas; point it at your copy of crds/ if you have no network. */
/** Where the printed `$schema` points unless told otherwise: the crds/ folder of a local install. */
export const DEFAULT_SCHEMA_BASE = 'node_modules/ecs-gitops/crds';

export function starterTemplate(kind: StarterKind, schemaBase = DEFAULT_SCHEMA_BASE): string {
  switch (kind) {
    case 'taskdef':
      return TASKDEF.replace('@SCHEMA@', `${schemaBase}/taskdef.schema.json`);
    case 'service':
      return SERVICE.replace('@SCHEMA@', `${schemaBase}/service.schema.json`);
    case 'cluster':
      return CLUSTER.replace(/@SCHEMA@/g, `${schemaBase}/cluster.schema.json`);
  }
}

const TASKDEF = `{
  // NAME.taskdef: the body of an ECS RegisterTaskDefinition request (JSON with comments, or YAML).
  // The family is the file name, registered as <prefix>-NAME (prefix: see cluster.yaml).
  // The $schema line gives editors completion and checks; ecs-gitops ignores it.
  "$schema": "@SCHEMA@",
  "containerDefinitions": [
    {
      "name": "web",
      "image": "nginx:1.27",
      // Soft memory limit in MiB; use "memory" for a hard limit.
      "memoryReservation": 64,
      "essential": true,
      "portMappings": [{ "containerPort": 80, "hostPort": 0, "protocol": "tcp" }],
      "dockerLabels": {
        // Add the label "AUTOCREATE.SERVICE": "" to get a service named after this file
        // (desiredCount from cluster.yaml serviceDefaults) without writing a NAME.service file.
        "proxy.host": "www"
      }
    }
  ]
}
`;

const SERVICE = `{
  // NAME.service: the body of an ECS CreateService request; the service name is the file name
  // and the cluster comes from cluster.yaml, so leave serviceName and cluster out.
  // Saved as NAME.service.template, \${TASK_PREFIX} and other variables are substituted first
  // (the environment, --var KEY=VALUE, and the built-ins TASK_PREFIX, CLUSTER, REGION, ACCOUNT_ID).
  "$schema": "@SCHEMA@",
  // The task definition: the NAME of a .taskdef file here (or its prefixed family, as in
  // "\${TASK_PREFIX}web" in a template), or family:revision / an ARN for one managed elsewhere.
  // Left out, it is the .taskdef with the same NAME as this file.
  "taskDefinition": "web",
  "desiredCount": 2,
  "deploymentConfiguration": {
    "maximumPercent": 200,
    "minimumHealthyPercent": 100
  }
  // launchType, networkConfiguration, ...: cluster.yaml serviceDefaults fill what is not set here.
}
`;

const CLUSTER = `# yaml-language-server: $schema=@SCHEMA@
# cluster.yaml: one ECS cluster. Every *.taskdef, *.service and *.service.template file beside it
# belongs to this cluster. The $schema line above (or a "$schema:" key) is for editors.
name: demo
# region: eu-west-1            # default: as the AWS SDK resolves it (AWS_REGION, profile)
# prefix: demo                 # task definition families are <prefix>-NAME; \${TASK_PREFIX} is "<prefix>-"
# ownerId: demo                # written into ownership tags; ecs-gitops only touches what it owns
adopt: false                   # take over existing, untagged resources with the desired names
prune: true                    # delete what the specs no longer ask for (false: only report it)
# allowEmpty: false            # true: prune even when the specs ask for nothing at all
# keepRevisions: 5             # ACTIVE revisions kept per family; older unused ones are deregistered
tags:
  team: platform
serviceDefaults:
  # Applied to every service where its file does not set the field.
  launchType: EC2              # or capacityProviderStrategy (not both)
  # networkConfiguration:      # given only to services whose task definition is awsvpc (or pinned)
  #   awsvpcConfiguration: { subnets: [subnet-1], securityGroups: [sg-1] }
  deploymentConfiguration:
    maximumPercent: 200
    minimumHealthyPercent: 100
  # The count a new service starts with when its file sets none (AUTOCREATE.SERVICE services);
  # afterwards ecs-gitops leaves it alone, so autoscaling can own it.
  desiredCount: 1
# Route53 records for containers labelled proxy.host / dns.hostname (short names get the domain).
# dns:
#   domain: example.com        # appended to names with at most one dot: www -> www.example.com
#   ttl: 300
#   policy: sync               # or upsert-only: never delete records
#   target:                    # exactly one of:
#     loadBalancer: my-alb     #   an ALB/NLB name or ARN (alias records)
#     # cname: lb.example.com  #   a CNAME
#     # addresses: [203.0.113.10]
#     # instances: true        #   the public IPs of the container instances
`;
