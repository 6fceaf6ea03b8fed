// Everything a store-backed command needs, loaded only when such a command runs, so that
// `--help` and argument errors answer at once. Command files reach it through lazy.ts.

export { CreateApiKeyBody, CreateUserBody } from '../credentials/credentials.schemas.js';
export { credentialsService } from '../credentials/credentials.service.js';
export { openStore } from '../db/dialect.js';
export { migrateToLatest } from '../db/migrate.js';
export { listDeliveriesAcross } from '../deliveries/deliveries.repository.js';
export { deliveriesService, deliveryOut } from '../deliveries/deliveries.service.js';
export { CreateFacilityBody } from '../facilities/facilities.schemas.js';
export { facilitiesService } from '../facilities/facilities.service.js';
export { webhooksService } from '../webhooks/webhooks.service.js';
export { browserUrl, openMigratedStore, outputFor, withContext } from './context.js';
export { followAttempts } from './follow.js';
export { apiKeyRef, deliveryCounts, deliveryRef, hasFacilities, webhookRef } from './sql/lookup.js';
export { countFailed, webhooksOf, windowEnd } from './sql/recover.js';
export { checkInput } from './validate.js';
