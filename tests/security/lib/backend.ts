import { startBackend, type RunningBackend } from '@retro/backend';
import type { BackendConfigInput } from '@retro/backend';
import { TEST_METRICS_TOKEN, TEST_TOKEN } from '@retro/common/testing';
import { openTestResources, type TestResources } from '@retro/database/testing';

/** A backend on port 0 over resources of its own, with the test kit's accounts. */
export async function securityBackend(
  prefix: string,
  config: BackendConfigInput = {},
): Promise<{ backend: RunningBackend; resources: TestResources; stop(): Promise<void> }> {
  const resources = await openTestResources(prefix);
  const backend = await startBackend({
    queues: resources.queues,
    rateLimitPerMinute: 0,
    config: {
      DB_NAME: resources.database.database,
      BACKEND_PORT: 0,
      INTERNAL_API_TOKEN: TEST_TOKEN,
      METRICS_TOKEN: TEST_METRICS_TOKEN,
      LOG_LEVEL: 'error',
      ...config,
    },
  });
  return {
    backend,
    resources,
    async stop() {
      await backend.stop();
      await resources.release();
    },
  };
}
