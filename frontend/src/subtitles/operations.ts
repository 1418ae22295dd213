// GraphQL operations of the subtitles editor.
import { graphql } from '../gql';
import type { SubtitleProvenance } from '../gql/graphql';

/** What the editor shows of a track, and what its mutations answer with. */
export const SubtitleTrackFieldsFragment = graphql(`
  fragment SubtitleTrackFields on SubtitleTrack {
    language
    label
    generated
    provenance
    vttUrl
    srtUrl
    updatedAt
  }
`);

export const SubtitlesEditorDocument = graphql(`
  query SubtitlesEditor($id: ID!) {
    video(id: $id) {
      id
      title
      status
      owner {
        id
      }
      subtitles {
        ...SubtitleTrackFields
      }
      subtitleState {
        status
        note
      }
    }
  }
`);

export const UpdateSubtitlesDocument = graphql(`
  mutation UpdateSubtitles($videoId: ID!, $language: String!, $vtt: String!) {
    updateSubtitles(videoId: $videoId, language: $language, vtt: $vtt) {
      ...SubtitleTrackFields
    }
  }
`);

export const UploadSubtitlesDocument = graphql(`
  mutation UploadSubtitles($videoId: ID!, $language: String!, $content: String!, $label: String) {
    uploadSubtitles(videoId: $videoId, language: $language, content: $content, label: $label) {
      ...SubtitleTrackFields
    }
  }
`);

export const RegenerateSubtitlesDocument = graphql(`
  mutation RegenerateSubtitles($videoId: ID!) {
    regenerateSubtitles(videoId: $videoId) {
      id
      subtitleState {
        status
        note
      }
    }
  }
`);

/** Where a track came from, in words. */
export const PROVENANCE_LABELS: Record<SubtitleProvenance, string> = {
  GENERATED: 'Generated from the speech',
  EDITED: 'Generated, then edited',
  UPLOADED: 'Uploaded file',
};
