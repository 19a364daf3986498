/** What validating a body needs, in one chunk that src/api/client.ts loads on first use. */
export { activitySchema, creditsSchema, keyListSchema, keySchema } from './schemas.js';
export { parseBody } from './validate.js';
