import { describe, expect, it } from 'vitest';
import { graphqlWebSocketURL } from './client';

describe('graphqlWebSocketURL', () => {
  it('uses the page host, wss on https and ws on http', () => {
    expect(graphqlWebSocketURL({ protocol: 'https:', host: 'videos.example:8443' })).toBe('wss://videos.example:8443/graphql');
    expect(graphqlWebSocketURL({ protocol: 'http:', host: '127.0.0.1:8080' })).toBe('ws://127.0.0.1:8080/graphql');
  });
});
