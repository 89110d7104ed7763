// Formats the API's values for people: dates, durations, yes/no, and key types.
import type { KeyType } from './types';

/**
 * A timestamp in the viewer's locale, e.g. "12 Mar 2025, 14:05" (with `seconds`, "14:05:09");
 * "—" when absent. Some replies
 * (event times, last use) are UTC without an offset (.NET style, "2025-03-12T14:05:00.1234567"):
 * they are read as UTC, not as the viewer's local time.
 */
export function when(iso: string | null | undefined, seconds = false): string {
  if (!iso) return '—';
  const utc = /T[\d:.]+$/.test(iso) ? `${iso}Z` : iso;
  const date = new Date(utc);
  if (Number.isNaN(date.getTime()) || date.getUTCFullYear() <= 1) return '—';
  return date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: seconds ? 'medium' : 'short' });
}

/** A number of seconds for people: "90 s", "5 min", "1 h 30 min", "2 d". */
export function duration(seconds: number): string {
  if (seconds < 60 || seconds % 60) return `${seconds} s`;
  const parts: string[] = [];
  const d = Math.floor(seconds / 86_400);
  const hrs = Math.floor((seconds % 86_400) / 3600);
  const min = Math.floor((seconds % 3600) / 60);
  if (d) parts.push(`${d} d`);
  if (hrs) parts.push(`${hrs} h`);
  if (min) parts.push(`${min} min`);
  return parts.join(' ');
}

export function yesNo(value: boolean | null | undefined): string {
  if (value === null || value === undefined) return 'Unknown';
  return value ? 'Yes' : 'No';
}

export function keyType(type: KeyType): string {
  return type === 1 ? 'Public' : 'Secret';
}
