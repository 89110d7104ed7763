// Formats the API's values for people: dates, days and months, durations, counts, yes/no, and key types.
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

/** A UTC day (YYYY-MM-DD) in the viewer's locale, e.g. "25 Nov 2026" (`short`: "25 Nov"). */
export function day(date: string, short = false): string {
  const d = new Date(`${date}T00:00:00Z`);
  if (Number.isNaN(d.getTime())) return date;
  return d.toLocaleDateString(undefined, { timeZone: 'UTC', day: 'numeric', month: 'short', year: short ? undefined : 'numeric' });
}

/** A UTC month (YYYY-MM) in the viewer's locale, e.g. "November 2026". */
export function month(ym: string): string {
  const d = new Date(`${ym}-01T00:00:00Z`);
  if (Number.isNaN(d.getTime())) return ym;
  return d.toLocaleDateString(undefined, { timeZone: 'UTC', month: 'long', year: 'numeric' });
}

/** A count with the locale's digit grouping: "12,345". */
export const count = (n: number) => n.toLocaleString();

/** `n thing` / `n things`. */
export const plural = (n: number, one: string, many = `${one}s`) => `${count(n)} ${n === 1 ? one : many}`;
