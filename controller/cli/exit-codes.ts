/** Exit codes scripts can rely on (docs/diff-and-apply.md, the table of commands). */
export const EXIT_OK = 0;
/** An error: invalid specs, an AWS failure, a refusal, a conflict. */
export const EXIT_ERROR = 1;
/** `diff` found changes to make. */
export const EXIT_CHANGES = 2;
