export * from './api.js';
export * from './amqp.js';
export * from './config.js';
export * from './errors.js';
export * from './events.js';
export * from './http.js';
export * from './logger.js';
export * from './process.js';
