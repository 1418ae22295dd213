// GraphQL operations of the studio page (/videos/:id/studio).
import { graphql } from '../gql';

/** Everything the studio shows of a video; the mutations answer with it too. */
export const StudioVideoFieldsFragment = graphql(`
  fragment StudioVideoFields on Video {
    id
    title
    status
    playable
    duration
    width
    height
    owner {
      id
    }
    edit {
      start
      end
    }
    chapters {
      start
      title
    }
    processing {
      stage
      percent
      error
    }
    playback {
      hlsUrl
      posterUrl
      storyboardUrl
    }
  }
`);

export const StudioDocument = graphql(`
  query Studio($id: ID!) {
    video(id: $id) {
      ...StudioVideoFields
      subtitles {
        language
        label
        generated
        words {
          start
          end
          text
        }
      }
      subtitleState {
        status
        note
      }
    }
  }
`);

export const EditVideoDocument = graphql(`
  mutation StudioEditVideo($input: EditVideoInput!) {
    editVideo(input: $input) {
      ...StudioVideoFields
    }
  }
`);

export const CreateClipDocument = graphql(`
  mutation StudioCreateClip($input: CreateClipInput!) {
    createClip(input: $input) {
      id
      title
    }
  }
`);

export const SetChaptersDocument = graphql(`
  mutation StudioSetChapters($videoId: ID!, $chapters: [ChapterInput!]) {
    setChapters(videoId: $videoId, chapters: $chapters) {
      ...StudioVideoFields
    }
  }
`);

export const SetPosterDocument = graphql(`
  mutation StudioSetPoster($input: SetPosterInput!) {
    setPoster(input: $input) {
      ...StudioVideoFields
    }
  }
`);
