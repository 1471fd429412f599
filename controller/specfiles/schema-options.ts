/** How the spec schemas are compiled: shared by validate-schema.ts and the build's standalone code. */
export const SCHEMA_KINDS = ['taskdef', 'service', 'cluster'] as const;

export const AJV_OPTIONS = { allErrors: true, strict: false, verbose: true } as const;
