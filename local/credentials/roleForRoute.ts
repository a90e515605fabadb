import type { LocalRole } from './LocalCredentials';

/**
 * The local identity whose managed policy allows a route, for a path
 * relative to the stage (`/events`, `/metrics/orders-per-region`):
 * `POST /events` the producer, `GET /events` the events reader,
 * `/metrics/*` the metrics reader, anything else (odd methods and paths
 * that reach no function) the admin, who may call every route.
 */
export function roleForRoute(method: string, stagePath: string): LocalRole {
  const path = stagePath.split('?')[0]!.replace(/\/+$/, '');
  const verb = method.toUpperCase();
  if (path === '/events' && verb === 'POST') return 'producer';
  if (path === '/events' && verb === 'GET') return 'events-reader';
  if (path.startsWith('/metrics/') && verb === 'GET') return 'metrics-reader';
  return 'admin';
}
