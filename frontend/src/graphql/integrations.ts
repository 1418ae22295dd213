// GraphQL operations of the share dialog and the integrator screens (API
// tokens, webhooks), with the types of their results.
//
// They are plain strings rather than codegen's graphql() documents on
// purpose: every graphql() document is registered in src/gql/gql.ts, which
// the initial bundle loads, while these serve pages and a dialog that are
// loaded on demand. The types below follow graph/schema/tokens.graphqls
// and webhooks.graphqls; the Vitest suites check the pages against them.

/** What an API token may do (enum Scope). */
export type Scope = 'VIDEOS_READ' | 'VIDEOS_WRITE' | 'VIDEOS_SHARE' | 'UPLOADS_WRITE' | 'ANALYTICS_READ' | 'WEBHOOKS_READ' | 'WEBHOOKS_WRITE';

/** The events a webhook may subscribe to (enum WebhookEventType). */
export type WebhookEventType =
  | 'VIDEO_CREATED'
  | 'VIDEO_UPLOAD_COMPLETED'
  | 'VIDEO_PLAYABLE'
  | 'VIDEO_READY'
  | 'VIDEO_FAILED'
  | 'VIDEO_DELETED'
  | 'SUBTITLES_READY'
  | 'SUBTITLES_FAILED';

/** One API token as listed (ApiToken). */
export interface ApiTokenItem {
  id: string;
  name: string;
  prefix: string;
  scopes: Scope[];
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
}

/** One webhook (Webhook). */
export interface WebhookItem {
  id: string;
  url: string;
  events: WebhookEventType[];
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

/** One delivery of the log (WebhookDelivery). */
export interface WebhookDeliveryItem {
  id: string;
  eventId: string;
  eventType: string;
  videoId: string | null;
  status: 'PENDING' | 'DELIVERED' | 'FAILED';
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  lastLatencyMs: number | null;
  nextAttemptAt: string | null;
  createdAt: string;
  deliveredAt: string | null;
}

export interface VideoEmbedSettingsData {
  video: { id: string; embedOrigins: string[] | null } | null;
}
export interface UpdateEmbedOriginsData {
  updateVideo: { id: string; embedOrigins: string[] | null };
}
export interface SignEmbedData {
  createPlaybackToken: { token: string; expiresAt: string };
}
export interface ApiTokensData {
  apiTokens: ApiTokenItem[];
}
export interface CreateApiTokenData {
  createApiToken: { token: string; apiToken: ApiTokenItem };
}
export interface RevokeApiTokenData {
  revokeApiToken: boolean;
}
export interface WebhooksData {
  webhooks: WebhookItem[];
}
export interface CreateWebhookData {
  createWebhook: { secret: string; webhook: WebhookItem };
}
export interface UpdateWebhookData {
  updateWebhook: WebhookItem;
}
export interface DeleteWebhookData {
  deleteWebhook: boolean;
}
export interface TestWebhookData {
  testWebhook: { id: string };
}
export interface RedeliverWebhookData {
  redeliverWebhook: { id: string; status: WebhookDeliveryItem['status'] };
}
export interface WebhookDeliveriesData {
  webhookDeliveries: {
    edges: { cursor: string; node: WebhookDeliveryItem }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}

/** The owner's embedding settings of one video. */
export const VideoEmbedSettingsDocument = `
  query VideoEmbedSettings($id: ID!) {
    video(id: $id) {
      id
      embedOrigins
    }
  }
`;

export const UpdateEmbedOriginsDocument = `
  mutation UpdateEmbedOrigins($id: ID!, $origins: [String!]) {
    updateVideo(input: { id: $id, embedOrigins: $origins }) {
      id
      embedOrigins
    }
  }
`;

/** A signed link to a private video, for the embed code. */
export const SignEmbedDocument = `
  mutation SignEmbed($id: ID!, $ttl: Int) {
    createPlaybackToken(videoId: $id, ttl: $ttl) {
      token
      expiresAt
    }
  }
`;

export const ApiTokensDocument = `
  query ApiTokens {
    apiTokens {
      id
      name
      prefix
      scopes
      createdAt
      lastUsedAt
      expiresAt
    }
  }
`;

export const CreateApiTokenDocument = `
  mutation CreateApiToken($name: String!, $scopes: [Scope!]!, $expiresAt: Time) {
    createApiToken(name: $name, scopes: $scopes, expiresAt: $expiresAt) {
      token
      apiToken {
        id
        name
        prefix
        scopes
        createdAt
        lastUsedAt
        expiresAt
      }
    }
  }
`;

export const RevokeApiTokenDocument = `
  mutation RevokeApiToken($id: ID!) {
    revokeApiToken(id: $id)
  }
`;

export const WebhooksDocument = `
  query Webhooks {
    webhooks {
      id
      url
      events
      active
      createdAt
      updatedAt
    }
  }
`;

export const CreateWebhookDocument = `
  mutation CreateWebhook($input: CreateWebhookInput!) {
    createWebhook(input: $input) {
      secret
      webhook {
        id
        url
        events
        active
        createdAt
        updatedAt
      }
    }
  }
`;

export const UpdateWebhookDocument = `
  mutation UpdateWebhook($input: UpdateWebhookInput!) {
    updateWebhook(input: $input) {
      id
      url
      events
      active
      createdAt
      updatedAt
    }
  }
`;

export const DeleteWebhookDocument = `
  mutation DeleteWebhook($id: ID!) {
    deleteWebhook(id: $id)
  }
`;

export const TestWebhookDocument = `
  mutation TestWebhook($id: ID!) {
    testWebhook(id: $id) {
      id
    }
  }
`;

export const RedeliverWebhookDocument = `
  mutation RedeliverWebhook($deliveryId: ID!) {
    redeliverWebhook(deliveryId: $deliveryId) {
      id
      status
    }
  }
`;

export const WebhookDeliveriesDocument = `
  query WebhookDeliveries($webhookId: ID!, $first: Int, $after: String) {
    webhookDeliveries(webhookId: $webhookId, first: $first, after: $after) {
      edges {
        cursor
        node {
          id
          eventId
          eventType
          videoId
          status
          attempts
          lastStatusCode
          lastError
          lastLatencyMs
          nextAttemptAt
          createdAt
          deliveredAt
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;
