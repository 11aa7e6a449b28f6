import type { MiddlewareHandler } from 'hono';
import type { HttpEnv } from '../env';
import type { OperatorMetrics } from '../metrics';

/** Counts every request once it is answered, labelled by its route template (never the concrete path: the label set stays bounded). */
export const observeRequests =
  (metrics: OperatorMetrics, templateOf: (method: string, path: string) => string): MiddlewareHandler<HttpEnv> =>
  async (c, next) => {
    await next();
    metrics.observe(templateOf(c.req.method, c.req.path), c.req.method, c.res.status);
  };
