import type { Subject, SyscallFrame } from './model.js';

/**
 * A frame with only the subjects `keep` accepts (and only their alerts): what a recording of a few
 * containers keeps of a source that sees every process on the machine. The totals and the key count are
 * those of the kept subjects; drop counts and gaps are the source's and stay as they were.
 */
export function keepSubjects(frame: SyscallFrame, keep: (subject: Subject) => boolean): SyscallFrame {
  const subjects = frame.subjects.filter((s) => keep(s.subject));
  const totalEvents = subjects.reduce((n, s) => n + s.total, 0);
  const used = subjects.reduce((n, s) => n + s.top.length + s.rest.syscalls, 0);
  const { alerts, ...rest } = frame;
  return {
    ...rest,
    subjects,
    totalEvents,
    keys: { used, max: frame.keys.max },
    ...(alerts !== undefined ? { alerts: alerts.filter((a) => keep(a.subject)) } : {}),
  };
}
