// Loads the very Lambda handlers that run in AWS. Imported only after the local stack has pointed the
// environment (TABLE_NAME, queue URLs, AWS_ENDPOINT_URL_*) at itself, because they read it at module load.
import type { LambdaHandlers } from './stack.ts';

export async function loadLambdaHandlers(): Promise<LambdaHandlers> {
  const [processor, worker, queryApi, eventsPublisher, counterRollup] = await Promise.all([
    import('../lambdas/handlers/processor.ts'),
    import('../lambdas/handlers/suppression-worker.ts'),
    import('../lambdas/handlers/query-api.ts'),
    import('../lambdas/handlers/events-publisher.ts'),
    import('../lambdas/handlers/counter-rollup.ts'),
  ]);
  return {
    processor: (event) => processor.handler(event),
    suppressionWorker: (event) => worker.handler(event),
    queryApi: (event) => queryApi.handler(event),
    eventsPublisher: (event) => eventsPublisher.handler(event),
    counterRollup: (event) => counterRollup.handler(event),
  };
}
