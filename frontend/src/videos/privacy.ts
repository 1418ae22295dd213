import type { Privacy } from '../gql/graphql';

/** The privacy choices, in the order forms offer them. */
export const PRIVACY_OPTIONS: { value: Privacy; label: string; hint: string }[] = [
  { value: 'PUBLIC', label: 'Public', hint: 'Listed on the home page; anyone can watch.' },
  { value: 'UNLISTED', label: 'Unlisted', hint: 'Anyone with the link can watch.' },
  { value: 'PRIVATE', label: 'Private', hint: 'Only you can watch.' },
];

/** A privacy setting in words. */
export const PRIVACY_LABELS: Record<Privacy, string> = { PUBLIC: 'Public', UNLISTED: 'Unlisted', PRIVATE: 'Private' };
