/**
 * A stopping controller does not wait for a whole full read of a large cluster: the read checks its
 * stop signal before every call, so it ends after the call in flight.
 */
import { readClusterView, type TaskViewReadPort } from '../../controller/observe/task-view-reader';

test('an aborted read makes no further call and rejects with the abort', async () => {
  const stop = new AbortController();
  let calls = 0;
  // A cluster with endless pages of tasks: only the signal can end the read.
  const port: TaskViewReadPort = {
    listTasks: () => {
      calls++;
      if (calls === 3) stop.abort();
      return Promise.resolve({
        taskArns: [`arn:aws:ecs:us-east-1:123456789012:task/demo/t${calls}`],
        nextToken: 'more',
      });
    },
    describeTasks: () => Promise.reject(new Error('not reached')),
    listContainerInstances: () => Promise.reject(new Error('not reached')),
    describeContainerInstances: () => Promise.reject(new Error('not reached')),
  };
  await expect(readClusterView(port, 'demo', stop.signal)).rejects.toMatchObject({ name: 'AbortError' });
  expect(calls).toBe(3);
});
