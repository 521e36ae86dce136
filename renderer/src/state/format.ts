import type { EngineInfo } from '../../../shared/domain/engine.js';

/** `2025-12-03 18:40 UTC`: a recording date that reads the same for every viewer and in every test. */
export function formatTimestamp(ms: number): string {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return 'an unknown date';
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC`;
}

/** `Docker 20.10.24` plus where it runs, e.g. `host-1 · linux/amd64`. */
export function engineLabel(info: EngineInfo): { readonly product: string; readonly detail: string } {
  const product = info.version === '' ? 'Docker' : `Docker ${info.version}`;
  const platform = info.os !== '' && info.arch !== '' ? `${info.os}/${info.arch}` : info.os || info.arch;
  const detail = [info.name, platform].filter((part) => part !== '').join(' · ');
  return { product, detail };
}

/** Whole seconds until `at`, never negative; null when there is no deadline. */
export function secondsUntil(at: number | null, now: number): number | null {
  if (at === null) return null;
  return Math.max(0, Math.ceil((at - now) / 1000));
}
