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

// C0 and C1 controls (but tab and newline), DEL, the bidirectional controls (ALM, LRM, RLM, the embeddings,
// overrides and isolates) and the zero-width characters (ZWSP, ZWNJ, ZWJ, word joiner, BOM).
const INVISIBLE =
  // eslint-disable-next-line no-control-regex -- matching control characters is what this is for
  /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u061C\u200B-\u200F\u202A-\u202E\u2060\u2066-\u2069\uFEFF]/g;

/**
 * Engine text as it should be read, not as it would render: every control, bidirectional-formatting and
 * zero-width character is written out as `⟨U+202E⟩`. Strings from containers are attacker-controlled; an
 * RTL override in a user name or a label would otherwise reorder what the screen shows (a "Trojan source"
 * spoof) and a zero-width space would make two different values look alike. React already keeps the text
 * inert; this keeps it honest.
 */
export function revealInvisible(text: string): string {
  return text.replace(INVISIBLE, (c) => `⟨U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}⟩`);
}
