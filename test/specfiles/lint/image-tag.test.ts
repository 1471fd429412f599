/** `image-tag`: images without a tag or tagged latest; digests, version tags and registry ports are fine. */
import { unpinnedImage } from '../../../controller/specfiles';
import { positionOf } from '../helpers';
import { findingsOf, good, taskdef } from './lint-helpers';

describe('which images are unpinned', () => {
  test.each([
    ['nginx', 'none'],
    ['nginx:latest', 'latest'],
    ['library/nginx', 'none'],
    ['registry.example.com:5000/team/app', 'none'],
    ['registry.example.com:5000/team/app:latest', 'latest'],
    ['123456789012.dkr.ecr.us-east-1.amazonaws.com/app', 'none'],
  ])('%s: %s', (image, problem) => {
    expect(unpinnedImage(image)).toBe(problem);
  });

  test.each([
    'nginx:1.27',
    'nginx:latest-alpine',
    'registry.example.com:5000/team/app:2.1.0',
    'nginx@sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31',
    'nginx:latest@sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31',
  ])('%s: pinned', (image) => {
    expect(unpinnedImage(image)).toBeUndefined();
  });
});

test('a finding per unpinned container, at its image field, saying how to pin it', async () => {
  const text = taskdef([
    good({ name: 'app', image: 'nginx:1.27' }),
    good({ name: 'sidecar', image: 'busybox' }),
    good({ name: 'proxy', image: 'registry.example.com:5000/envoy:latest' }),
  ]);
  const found = await findingsOf('image-tag', { 'web.taskdef': text });
  expect(found).toEqual([
    expect.objectContaining({
      level: 'warn',
      field: 'containerDefinitions[1].image',
      ...positionOf(text, '"image": "busybox"'),
      message: expect.stringMatching(
        /"busybox" of container "sidecar" has no tag.*busybox:<version>.*busybox@sha256/,
      ),
    }),
    expect.objectContaining({
      field: 'containerDefinitions[2].image',
      ...positionOf(text, '"image": "registry.example.com:5000/envoy:latest"'),
      message: expect.stringMatching(/is tagged latest.*registry\.example\.com:5000\/envoy:<version>/),
    }),
  ]);
});
