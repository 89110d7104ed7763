// Formats the API's values for people: dates, yes/no, and key types.
import type { KeyType } from './types';

/** A timestamp in the viewer's locale, e.g. "12 Mar 2025, 14:05"; "—" when absent. */
export function when(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime()) || date.getUTCFullYear() <= 1) return '—';
  return date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function yesNo(value: boolean | null | undefined): string {
  if (value === null || value === undefined) return 'Unknown';
  return value ? 'Yes' : 'No';
}

export function keyType(type: KeyType): string {
  return type === 1 ? 'Public' : 'Secret';
}
