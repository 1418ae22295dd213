// Loaded on the first subscription only (see client.ts), as its own chunk.
export { createClient } from 'graphql-ws';
