export * from './access.js';
export * from './accounts.js';
export * from './audit.js';
export * from './identity.js';
export * from './secrets.js';
export * from './session-routes.js';
export * from './service-access.js';
export * from './session-docs.js';
