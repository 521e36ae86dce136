import type { ReactElement } from 'react';

import type { Finding } from '../../../shared/domain/posture/model.js';
import { evidenceLines, evidenceRoleText } from '../state/evidence.js';
import { revealInvisible } from '../state/format.js';

/**
 * A finding's evidence as a table: where each value was read, the field, the value as inert text with
 * invisible characters written out, and what the value did for the verdict. Shared by the posture panel and
 * the report's details.
 */
export function EvidenceTable({ finding }: { readonly finding: Finding }): ReactElement {
  const lines = evidenceLines(finding);
  if (lines.length === 0) return <p className="evidence-none">This check read no values.</p>;
  return (
    <table className="evidence-table">
      <thead>
        <tr>
          <th scope="col">Source</th>
          <th scope="col">Field</th>
          <th scope="col">Value</th>
          <th scope="col">Role</th>
        </tr>
      </thead>
      <tbody>
        {lines.map((line, i) => (
          <tr key={i} className={`evidence-row evidence-${line.role}`} data-source={line.source}>
            <td className="evidence-source">{line.sourceLabel}</td>
            <td>
              <code className="evidence-field">{line.field}</code>
            </td>
            <td>
              <code className="evidence-value">{revealInvisible(line.value)}</code>
            </td>
            <td className="evidence-role">{evidenceRoleText(line.role)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
