// GraphQL operations on videos shared by several pages.
import { graphql } from '../gql';

/** Live processing progress: the current state first, then every change until READY or FAILED. */
export const VideoProgressDocument = graphql(`
  subscription VideoProgress($id: ID!) {
    videoProgress(id: $id) {
      videoId
      status
      stage
      percent
      playable
      error
    }
  }
`);

export const UpdateVideoDocument = graphql(`
  mutation UpdateVideo($input: UpdateVideoInput!) {
    updateVideo(input: $input) {
      id
      title
      description
      privacy
    }
  }
`);

export const DeleteVideoDocument = graphql(`
  mutation DeleteVideo($id: ID!) {
    deleteVideo(id: $id)
  }
`);

export const RetryProcessingDocument = graphql(`
  mutation RetryProcessing($id: ID!) {
    retryProcessing(id: $id) {
      id
      status
      playable
      processing {
        stage
        percent
        error
      }
    }
  }
`);
