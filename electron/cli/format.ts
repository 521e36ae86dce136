import type { ContainerList, ContainerSummary } from '../../shared/domain/container.js';
import { formatDuration, uptimeMillis } from '../../shared/domain/container.js';
import type { ConnectionState } from '../../shared/domain/engine.js';
import { shortId } from '../../shared/domain/ids.js';
import { assertNever } from '../../shared/util/assert-never.js';

/**
 * Plain-text rendering for the CLI.
 *
 * Container names and images are attacker-controlled: control characters are replaced so a hostile name
 * cannot rewrite the terminal (escape sequences) or forge extra lines.
 */
export function sanitizeForTerminal(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '\uFFFD');
}

function cell(text: string, width: number): string {
  const clean = sanitizeForTerminal(text);
  return clean.length > width ? `${clean.slice(0, width - 1)}…` : clean.padEnd(width);
}

function describeState(c: ContainerSummary, now: number): string {
  const up = uptimeMillis(c, now);
  if (up !== null) return `running ${formatDuration(up)}`;
  if (c.state === 'exited' && c.exitCode !== null) return `exited (${c.exitCode})`;
  return c.state;
}

/** The table `bulkhead containers` prints. */
export function formatContainerTable(list: ContainerList, now: number): string {
  const lines: string[] = [];
  const source = list.source;
  switch (source.kind) {
    case 'live':
      lines.push(`Engine: ${sanitizeForTerminal(list.engineName)}`);
      break;
    case 'demo':
      lines.push(
        `DEMO DATA — recorded ${new Date(source.recordedAt).toISOString()} on ${sanitizeForTerminal(source.recordedOn)} (${sanitizeForTerminal(source.reason)})`,
      );
      break;
    default:
      assertNever(source, 'data source');
  }
  if (list.containers.length === 0) {
    lines.push('No containers.');
  } else {
    lines.push(`${cell('CONTAINER ID', 13)} ${cell('NAME', 28)} ${cell('IMAGE', 28)} STATE`);
    for (const c of list.containers) {
      lines.push(
        `${cell(shortId(c.id), 13)} ${cell(c.name, 28)} ${cell(c.image, 28)} ${describeState(c, now)}`,
      );
    }
  }
  for (const p of list.problems) {
    lines.push(`! ${sanitizeForTerminal(p.name)} (${shortId(p.id)}): ${sanitizeForTerminal(p.message)}`);
  }
  return lines.join('\n');
}

/** One line about the engine connection, for `bulkhead engine`. */
export function formatConnection(state: ConnectionState): string {
  switch (state.phase) {
    case 'connecting':
      return `connecting to ${state.endpoint.url} (${state.endpoint.source})`;
    case 'connected':
      return `connected to ${state.endpoint.url} (${state.endpoint.source}): ${sanitizeForTerminal(state.engine.name)}, Docker ${state.engine.version}, API ${state.engine.apiVersion}, ${state.engine.os}/${state.engine.arch}`;
    case 'disconnected':
      return `disconnected from ${state.endpoint.url} (${state.endpoint.source}): ${state.error.message}`;
    default:
      return assertNever(state, 'connection phase');
  }
}
