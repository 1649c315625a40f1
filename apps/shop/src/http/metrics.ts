/** `GET /metrics`: the shop's own counters in Prometheus' text format (service restarts and states, long polls). */
import type { ApiDeps } from './api-deps.js';

const label = (value: string): string => value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

export function prometheusText(deps: Pick<ApiDeps, 'services' | 'longPolls' | 'waiters'>): string {
  const lines: string[] = [
    '# HELP shop_service_restarts_total Fresh apps started after a service failed.',
    '# TYPE shop_service_restarts_total counter',
  ];
  for (const [name, status] of deps.services) lines.push(`shop_service_restarts_total{service="${label(name)}"} ${status.restarts}`);
  lines.push('# HELP shop_service_up Whether the service is RUNNING (1) or not (0).', '# TYPE shop_service_up gauge');
  for (const [name, status] of deps.services) lines.push(`shop_service_up{service="${label(name)}"} ${status.state === 'RUNNING' ? 1 : 0}`);
  lines.push(
    '# HELP shop_long_polls_held Long polls waiting now.',
    '# TYPE shop_long_polls_held gauge',
    `shop_long_polls_held ${deps.longPolls.held}`,
    '# HELP shop_long_polls_rejected_total Long polls answered 503 because a bound was reached.',
    '# TYPE shop_long_polls_rejected_total counter',
    `shop_long_polls_rejected_total ${deps.longPolls.rejected}`,
  );
  return `${lines.join('\n')}\n`;
}
