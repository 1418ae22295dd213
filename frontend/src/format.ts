const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

/** Formats an RFC 3339 timestamp as a date in the reader's locale ("21 Nov 2026"). */
export function formatDate(rfc3339: string): string {
  const d = new Date(rfc3339);
  return Number.isNaN(d.getTime()) ? rfc3339 : dateFormat.format(d);
}
