import type { ConsentRequest } from '../../domain/records.js';

/** A request's item as the request. */
export function requestFromItem(item: Record<string, any>): ConsentRequest {
  return {
    requestId: item['requestId'],
    status: item['status'],
    action: item['action'],
    phone: item['phone'],
    profileId: item['profileId'],
    importId: item['importId'],
    reason: item['reason'],
    requestedBy: item['requestedBy'],
    requestedAt: item['requestedAt'],
    appliedAt: item['appliedAt'],
    sequence: item['sequence'],
  };
}
