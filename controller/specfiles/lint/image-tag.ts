/** `image-tag`: an image without a tag, or tagged `latest`, runs whatever was pushed last. */
import type { LintRule, RuleFinding } from './lint-types';
import { containersOf } from './containers';

/** `none` (no tag: docker reads it as latest), `latest`, or undefined for a pinned tag or a digest. */
export function unpinnedImage(image: string): 'none' | 'latest' | undefined {
  // `repo@sha256:...` (also `repo:tag@sha256:...`): the digest pins it, whatever the tag says.
  if (image.includes('@')) return undefined;
  // The tag is after the last colon of the last path part: `host:5000/app` has a port, not a tag.
  const name = image.slice(image.lastIndexOf('/') + 1);
  const colon = name.indexOf(':');
  if (colon < 0) return 'none';
  return name.slice(colon + 1) === 'latest' ? 'latest' : undefined;
}

export const imageTag: LintRule = {
  id: 'image-tag',
  taskdef(td) {
    const out: RuleFinding[] = [];
    for (const c of containersOf(td.body)) {
      const image = c.def.image;
      if (typeof image !== 'string') continue;
      const problem = unpinnedImage(image);
      if (!problem) continue;
      const repo = problem === 'none' ? image : image.slice(0, -':latest'.length);
      out.push({
        path: [...c.path, 'image'],
        message:
          `image "${image}" of container "${c.name}" ` +
          (problem === 'none' ? 'has no tag, so it means latest' : 'is tagged latest') +
          `: each push changes what runs; pin a version (${repo}:<version>) or a digest (${repo}@sha256:...)`,
      });
    }
    return out;
  },
};
