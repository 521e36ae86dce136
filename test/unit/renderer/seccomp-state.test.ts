import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { compareProfile } from '../../../shared/domain/seccomp/compare.js';
import { generateProfile, RUNTIME_SYSCALL_NAMES } from '../../../shared/domain/seccomp/generate.js';
import { splitPhases } from '../../../shared/domain/seccomp/phases.js';
import type { SyscallSpan } from '../../../shared/domain/seccomp/phases.js';
import { DOCKER_DEFAULT_CAPS, parseSeccompProfile } from '../../../shared/domain/seccomp/profile.js';
import type { SeccompProfile } from '../../../shared/domain/seccomp/profile.js';
import type { SeccompReport } from '../../../shared/domain/seccomp/report.js';
import type { SysdigContainerId } from '../../../shared/domain/syscalls/model.js';
import type { BulkheadBridge } from '../../../shared/ipc/bridge.js';
import type { RequestChannel } from '../../../shared/ipc/contract.js';
import { err, ok } from '../../../shared/ipc/result.js';
import type { Result } from '../../../shared/ipc/result.js';
import { startSeccompController } from '../../../renderer/src/seccomp-controller.js';
import type { SeccompController } from '../../../renderer/src/seccomp-controller.js';
import {
  applyGenerateResult,
  beginGenerate,
  boundaryText,
  clockOf,
  DEFAULT_QUIET_SECONDS,
  entryFor,
  initialSeccompState,
  keepSubscription,
  MAX_FILE_STEM,
  parseQuietSeconds,
  profileContents,
  profileExports,
  profileFileName,
  seccompKey,
  sentenceParts,
  splitView,
  statusText,
  versusDefaultView,
} from '../../../renderer/src/state/seccomp.js';
import type { SeccompState, SeccompTarget } from '../../../renderer/src/state/seccomp.js';
import { requestSeccompProfile, useSeccompStore } from '../../../renderer/src/stores/seccomp-store.js';
import { initialSyscallsState } from '../../../renderer/src/state/syscalls.js';
import { useSyscallsStore } from '../../../renderer/src/stores/syscalls-store.js';
import { PROFILES, profileText } from '../seccomp/data.js';

// The reports below are built by the real domain functions (generateProfile, compareProfile, splitPhases)
// against Docker's real default profile, the way electron/services/seccomp-service.ts builds them, so the
// panel's view functions are checked against the shapes the engine really sends.

const parse = (text: string): SeccompProfile => {
  const r = parseSeccompProfile(text);
  if (!r.ok) throw new Error(r.error.message);
  return r.profile;
};
const DEFAULT = parse(profileText(PROFILES.current));
const NOTE = 'Docker cannot change the seccomp filter of a running container.';
const T0 = 1_506_127_460;

/** A web server: start-up calls in the first seconds, then a steady loop; `switch` is a sysdig event. */
const SPANS: readonly SyscallSpan[] = [
  { syscall: 'execve', firstSeen: T0, lastSeen: T0 },
  { syscall: 'bind', firstSeen: T0 + 1, lastSeen: T0 + 1 },
  { syscall: 'listen', firstSeen: T0 + 1, lastSeen: T0 + 1 },
  { syscall: 'mount', firstSeen: T0 + 1, lastSeen: T0 + 1 },
  { syscall: 'personality', firstSeen: T0 + 2, lastSeen: T0 + 2 },
  { syscall: 'accept4', firstSeen: T0 + 2, lastSeen: T0 + 20 },
  { syscall: 'read', firstSeen: T0 + 2, lastSeen: T0 + 20 },
  { syscall: 'write', firstSeen: T0 + 2, lastSeen: T0 + 20 },
  { syscall: 'epoll_wait', firstSeen: T0 + 2, lastSeen: T0 + 20 },
  { syscall: 'switch', firstSeen: T0, lastSeen: T0 + 20 },
  { syscall: 'not_a_syscall_x', firstSeen: T0 + 2, lastSeen: T0 + 2 },
];

function report(
  options: {
    quietSeconds?: number;
    withDefault?: boolean;
    withPhases?: boolean;
    health?: { basis: string; exact: boolean };
  } = {},
): SeccompReport {
  const names = SPANS.map((s) => s.syscall);
  const whole = generateProfile(names, { arch: 'x86_64' });
  const split = splitPhases(SPANS, {
    arch: 'x86_64',
    ...(options.quietSeconds === undefined ? {} : { quietSeconds: options.quietSeconds }),
  });
  return {
    subject: { kind: 'container', id: 'c78a447010cd' as SysdigContainerId, name: 'web' },
    arch: 'x86_64',
    observedEvents: 1587,
    observedNames: names.length,
    whole: { json: whole.json, metadata: whole.metadata },
    phases:
      options.withPhases === false
        ? null
        : {
            boundary: split.boundary,
            startupSet: split.startupSet,
            runningSet: split.runningSet,
            startupOnly: split.startupOnly,
            running:
              split.runningProfile === null
                ? null
                : { json: split.runningProfile.json, metadata: split.runningProfile.metadata },
            reduction: split.reduction,
            health: options.health ?? null,
          },
    versusDefault:
      options.withDefault === false
        ? { available: false, reason: 'Docker’s default seccomp profile is not bundled: set it.' }
        : {
            available: true,
            path: '/data/default.json',
            comparison: compareProfile(names, parse(whole.json), DEFAULT, {
              arch: 'x86_64',
              caps: DOCKER_DEFAULT_CAPS,
            }),
          },
    note: NOTE,
  };
}

const WEB: SeccompTarget = { subId: 'sub-1', subject: 'c78a447010cd' };
const HOST: SeccompTarget = { subId: 'sub-1', subject: 'host' };

describe('the seccomp panel’s request state', () => {
  it('generating, then the answer: ready with the report and the quiet seconds it was asked with', () => {
    const { state, seq } = beginGenerate(initialSeccompState, WEB, 7);
    expect(seq).toBe(1);
    expect(entryFor(state, 'sub-1', WEB.subject)).toMatchObject({
      status: 'generating',
      seq: 1,
      quietSeconds: 7,
      report: null,
    });
    expect(statusText(entryFor(state, 'sub-1', WEB.subject))).toBe('Generating…');
    const r = report();
    const done = applyGenerateResult(state, WEB, seq, ok(r));
    const entry = entryFor(done, 'sub-1', WEB.subject);
    expect(entry).toMatchObject({ status: 'ready', quietSeconds: 7, target: WEB });
    expect(entry?.status === 'ready' && entry.report).toBe(r);
    expect(statusText(entry)).toBe(
      `Generated from 1,587 syscalls (${SPANS.length} distinct names) seen so far.`,
    );
  });

  it('an error is kept with its message: the panel shows it as the engine wrote it', () => {
    const { state, seq } = beginGenerate(initialSeccompState, WEB, 5);
    const message =
      'No syscalls were observed for c78a447010cd in this subscription: start the source before the container, let it run, then generate.';
    const failed = applyGenerateResult(state, WEB, seq, err('not-found', message));
    const entry = entryFor(failed, 'sub-1', WEB.subject);
    expect(entry).toMatchObject({ status: 'failed', error: { code: 'not-found', message } });
    expect(statusText(entry)).toBe(`Could not generate: ${message}`);
  });

  it('generating again keeps the previous profile on screen; a failure before does not come back', () => {
    const first = beginGenerate(initialSeccompState, WEB, 5);
    const r = report();
    const ready = applyGenerateResult(first.state, WEB, first.seq, ok(r));
    const again = beginGenerate(ready, WEB, 3600);
    const entry = entryFor(again.state, 'sub-1', WEB.subject);
    expect(entry).toMatchObject({ status: 'generating', quietSeconds: 3600, report: r });
    expect(statusText(entry)).toBe('Generating again…');

    const failed = applyGenerateResult(again.state, WEB, again.seq, err('internal', 'boom'));
    const third = beginGenerate(failed, WEB, 5);
    expect(entryFor(third.state, 'sub-1', WEB.subject)).toMatchObject({ status: 'generating', report: null });
  });

  it('an answer overtaken by a newer request for the same subject is ignored', () => {
    const first = beginGenerate(initialSeccompState, WEB, 5);
    const second = beginGenerate(first.state, WEB, 10);
    const late = applyGenerateResult(second.state, WEB, first.seq, ok(report({ quietSeconds: 5 })));
    expect(late).toBe(second.state);
    const r10 = report({ quietSeconds: 10 });
    const done = applyGenerateResult(late, WEB, second.seq, ok(r10));
    expect(entryFor(done, 'sub-1', WEB.subject)).toMatchObject({ status: 'ready', quietSeconds: 10 });
    // A second answer to the same request changes nothing either.
    expect(applyGenerateResult(done, WEB, second.seq, err('internal', 'x'))).toBe(done);
  });

  it('subjects have their own entries; a new subscription drops the old one’s', () => {
    let s: SeccompState = initialSeccompState;
    const a = beginGenerate(s, WEB, 5);
    s = applyGenerateResult(a.state, WEB, a.seq, ok(report()));
    const b = beginGenerate(s, HOST, 5);
    s = b.state;
    expect(entryFor(s, 'sub-1', WEB.subject)?.status).toBe('ready');
    expect(entryFor(s, 'sub-1', HOST.subject)?.status).toBe('generating');
    expect(entryFor(s, 'sub-2', WEB.subject)).toBeNull();
    expect(entryFor(s, null, WEB.subject)).toBeNull();
    expect(seccompKey(WEB)).not.toBe(seccompKey(HOST));

    expect(keepSubscription(s, 'sub-1')).toBe(s);
    const other = keepSubscription(s, 'sub-2');
    expect(other.entries).toEqual({});
    expect(other.requested).toBe(s.requested);
    expect(keepSubscription(s, null).entries).toEqual({});
    // An answer for a dropped entry is ignored.
    expect(applyGenerateResult(other, HOST, b.seq, ok(report()))).toBe(other);
  });
});

describe('parseQuietSeconds', () => {
  it.each([
    ['5', 5],
    [' 1 ', 1],
    ['3600', 3600],
    ['120', 120],
  ])('%j is %d seconds', (text, value) => {
    expect(parseQuietSeconds(text)).toEqual({ ok: true, value });
  });

  it.each(['', '0', '3601', '-1', '2.5', '1e2', 'abc', '5s', '0x10'])('%j is refused', (text) => {
    expect(parseQuietSeconds(text)).toEqual({
      ok: false,
      message: 'Quiet seconds must be a whole number from 1 to 3600.',
    });
  });

  it('defaults to the domain’s 5 s', () => {
    expect(DEFAULT_QUIET_SECONDS).toBe(5);
  });
});

describe('profileFileName: container names are attacker-controlled', () => {
  it.each([
    ['example2_web_1', 'whole', 'seccomp-example2_web_1.json'],
    ['example2_web_1', 'running', 'seccomp-example2_web_1-running.json'],
    ['my.app-1', 'whole', 'seccomp-my.app-1.json'],
    ['../../etc/passwd', 'whole', 'seccomp-etc-passwd.json'],
    ['a/b\\c:d', 'whole', 'seccomp-a-b-c-d.json'],
    ['<img src=x onerror=alert(1)>', 'whole', 'seccomp-img-src-x-onerror-alert-1.json'],
    ['..', 'whole', 'seccomp-profile.json'],
    ['', 'running', 'seccomp-profile-running.json'],
    ['名前', 'whole', 'seccomp-profile.json'],
    ['web\u0000\n1', 'whole', 'seccomp-web-1.json'],
    ['.hidden', 'whole', 'seccomp-hidden.json'],
  ] as const)('%j (%s) → %s', (name, phase, expected) => {
    expect(profileFileName(name, phase)).toBe(expected);
  });

  it('keeps only [A-Za-z0-9._-] and caps the length', () => {
    const long = profileFileName(`${'x'.repeat(500)}`, 'running');
    expect(long).toBe(`seccomp-${'x'.repeat(MAX_FILE_STEM)}-running.json`);
    for (const name of ['a b', 'ä', '$(rm -rf /)', '`id`', 'x'.repeat(70) + '.-.-']) {
      const file = profileFileName(name, 'whole');
      expect(file).toMatch(/^seccomp-[A-Za-z0-9._-]+\.json$/);
      expect(file.length).toBeLessThanOrEqual('seccomp-.json'.length + MAX_FILE_STEM);
      expect(file).not.toMatch(/[.-]\.json$/);
    }
  });
});

describe('versusDefaultView', () => {
  it('the engine’s sentence and numbers, and the three lists from the default’s coverage', () => {
    const r = report();
    const v = versusDefaultView(r);
    if (!v.available) throw new Error('expected a comparison');
    const c = r.versusDefault.available ? r.versusDefault.comparison : null;
    expect(c).not.toBeNull();
    expect(v.sentence).toBe(c!.reduction.sentence);
    expect(v.sentence).toMatch(/^this profile allows \d+ of the \d+ syscalls the default allows: −\d+ %$/);
    expect(v.allowed).toBe(c!.reduction.allowed);
    expect(v.defaultAllowed).toBe(c!.reduction.defaultAllowed);
    expect(v.reductionPct).toBe(c!.reduction.reductionPct);
    expect(v.path).toBe('/data/default.json');

    const byId = Object.fromEntries(v.lists.map((l) => [l.id, l]));
    expect(Object.keys(byId)).toEqual(['observed-allowed', 'observed-blocked', 'allowed-unused']);
    const d = c!.defaultProfile;
    // Observed ∩ allowed: with and without argument conditions (personality is conditional in the default).
    expect(byId['observed-allowed']!.names).toEqual([...d.observedAllowed, ...d.observedConditional].sort());
    expect(byId['observed-allowed']!.conditional).toEqual(['personality']);
    expect(byId['observed-allowed']!.tone).toBe('ok');
    // mount needs CAP_SYS_ADMIN under the default: it would fail.
    expect(byId['observed-blocked']!.names).toEqual(['mount']);
    expect(byId['observed-blocked']!).toMatchObject({ tone: 'bad', icon: 'alert' });
    expect(byId['allowed-unused']!.names).toEqual(d.allowedUnused);
    expect(byId['allowed-unused']!.names).not.toContain('read');
    expect(byId['allowed-unused']!).toMatchObject({ tone: 'warn', icon: 'circle' });
    // Every list has an icon: the tone never stands alone.
    for (const l of v.lists) expect(l.icon.length).toBeGreaterThan(0);
  });

  it('an empty list is neutral, not alarming', () => {
    const names = ['read', 'write'];
    const whole = generateProfile(names, { arch: 'x86_64' });
    const r: SeccompReport = {
      ...report(),
      versusDefault: {
        available: true,
        path: '/d.json',
        comparison: compareProfile(names, parse(whole.json), DEFAULT, {
          arch: 'x86_64',
          caps: DOCKER_DEFAULT_CAPS,
        }),
      },
    };
    const v = versusDefaultView(r);
    if (!v.available) throw new Error('expected a comparison');
    expect(v.lists.find((l) => l.id === 'observed-blocked')).toMatchObject({ names: [], tone: 'neutral' });
  });

  it('without the default: the engine’s reason, as it is', () => {
    expect(versusDefaultView(report({ withDefault: false }))).toEqual({
      available: false,
      reason: 'Docker’s default seccomp profile is not bundled: set it.',
    });
  });
});

describe('sentenceParts', () => {
  it.each([
    [
      'this profile allows 34 of the 295 syscalls the default allows: −88 %',
      'this profile allows 34 of the 295 syscalls the default allows: ',
      '−88 %',
    ],
    ['a: b: 0 %', 'a: b: ', '0 %'],
    [
      'this profile allows 3 syscalls; the default allows none',
      'this profile allows 3 syscalls; the default allows none',
      '',
    ],
  ])('%j', (sentence, head, figure) => {
    const parts = sentenceParts(sentence);
    expect(parts).toEqual({ head, figure });
    expect(parts.head + parts.figure).toBe(sentence);
  });
});

describe('profileContents', () => {
  it('what the runtime adds and what was left out, from the metadata', () => {
    const r = report();
    const c = profileContents(r);
    expect(c.allowed).toBe(r.whole.metadata.allowed.length);
    expect(c.runtimeAdded).toEqual(
      RUNTIME_SYSCALL_NAMES.filter((n) => !['execve', 'read', 'write'].includes(n)),
    );
    expect(c.unknown).toEqual(['not_a_syscall_x']);
    expect(c.ignored).toEqual(['switch']);
    expect(c.excluded).toEqual([]);
    expect(c.observedEvents).toBe(1587);
    expect(c.observedNames).toBe(SPANS.length);
  });

  it('aliases read as from → to', () => {
    const base = report();
    const r: SeccompReport = {
      ...base,
      whole: { ...base.whole, metadata: { ...base.whole.metadata, aliased: [{ from: 'a', to: 'b' }] } },
    };
    expect(profileContents(r).aliased).toEqual(['a → b']);
  });
});

describe('the split phase', () => {
  it('the quiet rule: boundary and why, the set counts, start-up-only names and the sentence', () => {
    const r = report();
    const s = splitView(r, 5);
    if (!s.available) throw new Error('expected a split');
    expect(s.boundaryKind).toBe('quiet');
    // New names stop appearing after T0+2; the running phase starts at T0+3.
    expect(s.boundary).toBe(
      `no new syscall for 5 s after ${clockOf(T0 + 2)}: the running phase starts at ${clockOf(T0 + 3)}`,
    );
    expect(s.startupCount).toBe(r.phases!.startupSet.length);
    expect(s.runningCount).toBe(r.phases!.runningSet.length);
    expect(s.startupOnly).toEqual(['bind', 'execve', 'listen', 'mount', 'personality']);
    expect(s.sentence).toBe(r.phases!.reduction!.sentence);
    expect(s.health).toBeNull();
    expect(s.sentence).toMatch(
      /^the running-phase profile allows \d+ of the \d+ syscalls the whole-life profile allows/,
    );
  });

  it('not yet: a quiet stretch longer than the observation', () => {
    const r = report({ quietSeconds: 3600 });
    const s = splitView(r, 3600);
    if (!s.available) throw new Error('expected a split');
    expect(s.boundaryKind).toBe('none-yet');
    expect(s.boundary).toBe(
      `not yet: new syscalls were still appearing (the last new one at ${clockOf(T0 + 2)}, then 18 s without one; 3600 s needed)`,
    );
    expect(s.sentence).toBeNull();
  });

  it.each([
    [
      { kind: 'health', second: T0 + 4 } as const,
      `the health check turned healthy at ${clockOf(T0 + 4)}: the running phase starts there`,
    ],
    [{ kind: 'none-yet', lastGrowth: null, quietFor: 0 } as const, 'not yet: no syscall was seen'],
  ])('boundaryText(%j)', (boundary, text) => {
    expect(boundaryText(boundary, 5)).toBe(text);
  });

  it('what the health check said is passed on as the engine wrote it', () => {
    const basis = 'the container has no health check';
    const s = splitView(report({ health: { basis, exact: false } }), 5);
    expect(s.available && s.health).toBe(basis);
  });

  it('a source without times (a recording) has no split, and says so', () => {
    const s = splitView(report({ withPhases: false }), 5);
    expect(s).toEqual({
      available: false,
      reason:
        'This source cannot say when each syscall was seen (a recording keeps totals only): no split into phases.',
    });
  });

  it('clockOf is the charts’ UTC clock', () => {
    expect(clockOf(0)).toBe('00:00:00');
    expect(clockOf(T0)).toBe('00:44:20');
  });
});

describe('profileExports', () => {
  it('both profiles, as the engine wrote them, with sanitised file names', () => {
    const r = report();
    const e = profileExports(r, 'example2_web_1');
    expect(e.whole).toEqual({ available: true, json: r.whole.json, fileName: 'seccomp-example2_web_1.json' });
    expect(e.running).toEqual({
      available: true,
      json: r.phases!.running!.json,
      fileName: 'seccomp-example2_web_1-running.json',
    });
    const names = (JSON.parse(r.whole.json) as { syscalls: { names: string[] }[] }).syscalls[0]!.names;
    expect(names).toEqual(r.whole.metadata.allowed);
  });

  it('no running-phase profile before a boundary, or without times: the reason instead', () => {
    expect(profileExports(report({ quietSeconds: 3600 }), 'web').running).toEqual({
      available: false,
      reason:
        'No running-phase profile yet: new syscalls were still appearing. Lower the quiet seconds or let the source run longer, then generate again.',
    });
    expect(profileExports(report({ withPhases: false }), 'web').running).toEqual({
      available: false,
      reason: 'No running-phase profile: this source cannot say when each syscall was seen.',
    });
    expect(profileExports(report(), '../x').whole).toMatchObject({ fileName: 'seccomp-x.json' });
  });
});

describe('the seccomp controller', () => {
  let controller: SeccompController | undefined;
  const calls: { channel: RequestChannel; request: unknown }[] = [];
  let answer: (request: unknown) => Promise<Result<unknown>>;
  const bridge: BulkheadBridge = {
    invoke(channel, request) {
      calls.push({ channel, request });
      return answer(request) as never;
    },
    on: () => () => undefined,
  };

  beforeEach(() => {
    calls.length = 0;
    answer = () => Promise.resolve(ok(report()));
    useSeccompStore.setState(initialSeccompState, true);
    useSyscallsStore.setState(
      {
        ...initialSyscallsState,
        subscription: { request: { kind: 'bpf' }, subId: 'sub-1', seq: 1 },
      },
      true,
    );
  });
  afterEach(() => controller?.dispose());

  it('asks seccomp:generate for the subject with the quiet seconds, and stores the answer', async () => {
    controller = startSeccompController(bridge);
    requestSeccompProfile(WEB, 12);
    expect(entryFor(useSeccompStore.getState(), 'sub-1', WEB.subject)?.status).toBe('generating');
    await new Promise((r) => setImmediate(r));
    expect(calls).toEqual([
      { channel: 'seccomp:generate', request: { subId: 'sub-1', subject: WEB.subject, quietSeconds: 12 } },
    ]);
    expect(entryFor(useSeccompStore.getState(), 'sub-1', WEB.subject)).toMatchObject({
      status: 'ready',
      quietSeconds: 12,
    });
  });

  it('drops the old subscription’s profiles when the source changes, and answers after dispose', async () => {
    controller = startSeccompController(bridge);
    await controller.generate(WEB, 5);
    expect(entryFor(useSeccompStore.getState(), 'sub-1', WEB.subject)?.status).toBe('ready');
    useSyscallsStore.setState({ subscription: { request: { kind: 'bpf' }, subId: 'sub-2', seq: 2 } });
    expect(useSeccompStore.getState().entries).toEqual({});

    let release: (r: Result<unknown>) => void = () => undefined;
    answer = () => new Promise((r) => (release = r));
    const target = { subId: 'sub-2', subject: 'host' };
    const pending = controller.generate(target, 5);
    controller.dispose();
    release(ok(report()));
    await pending;
    expect(entryFor(useSeccompStore.getState(), 'sub-2', 'host')?.status).toBe('generating');
    // After dispose the buttons do nothing.
    requestSeccompProfile(target, 5);
    expect(calls.length).toBe(2);
  });
});
