import { palette } from './ansi';
import { summarizePlan, summaryCounts } from './plan-summary';
import type { Plan } from './plan-types';
import { formatPlanError, planBodyLines } from './render-text';

/** The plan for a pull request comment: a heading per cluster, a summary, the diff in a ```diff fence. */
export function renderPlanMarkdown(plans: readonly Plan[]): string {
  if (plans.length === 0) return '_No clusters to plan._\n';
  const p = palette(false);
  const sections = plans.map((plan) => {
    const region = plan.region ? ` (${plan.region})` : '';
    const out = [`### ecs-gitops plan for cluster \`${plan.cluster}\`${region}`, ''];
    out.push(`From \`${plan.dir}\`: **${summaryCounts(summarizePlan(plan), plan.errors.length)}.**`, '');
    if (plan.errors.length > 0) {
      out.push('**Errors: nothing will be applied to this cluster.**', '');
      for (const e of plan.errors) out.push(`- ${escapeMarkdown(formatPlanError(e))}`);
      out.push('');
    }
    if (plan.actions.some((a) => a.op !== 'none' || a.pending !== undefined)) {
      const body = planBodyLines(plan, p, false);
      const text = body.join('\n');
      // A longer fence than any run of backticks inside, so values cannot close it.
      const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
      const fence = '`'.repeat(longest + 1);
      out.push(`${fence}diff`, text, fence, '');
    } else {
      out.push('No changes.', '');
    }
    return out.join('\n');
  });
  return sections.join('\n');
}

/** Plain text in a list item: no markup, no HTML, no line breaks. */
function escapeMarkdown(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').replace(/[\\`*_[\]<>|#]/g, (c) => `\\${c}`);
}
