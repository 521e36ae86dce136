import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startSysdigLive } from '../../../electron/adapters/syscalls/sysdig-live.js';
import { systemClock } from '../../../electron/adapters/system-clock.js';
import {
  applyFrame,
  applySubscribeResult,
  beginSubscribe,
  droppedText,
  droppedTotal,
  initialSyscallsState,
} from '../../../renderer/src/state/syscalls.js';
import type { SourceState, SyscallFrame } from '../../../shared/domain/syscalls/model.js';
import { ok } from '../../../shared/ipc/result.js';

// Drop counts from the source to the line the Syscalls view and the card show (SyscallsView and
// SyscallsAspect render droppedText of the shown frame). The live source runs as it does in the app —
// process runner, pipe, parser, fold with its key bound, frames — with `sysdig` replaced by a script (a fake
// for determinism) printing known lines: 3 pairs over a bound of 2, one line older than the window, two
// malformed lines.

let dir: string;
let program: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'bh-drops-'));
  program = join(dir, 'sysdig');
  writeFileSync(
    program,
    `#!${process.execPath}
const s = Math.floor(Date.now() / 1000);
process.stdout.write([
  s + ' aaaaaaaaaaaa read web',
  s + ' aaaaaaaaaaaa write web',
  s + ' aaaaaaaaaaaa openat web',
  s + ' bbbbbbbbbbbb read db',
  s + ' bbbbbbbbbbbb read db',
  'not a sysdig line',
  s + ' NOT-HEX read x',
  (s - 120) + ' aaaaaaaaaaaa read web',
].join('\\n') + '\\n');
`,
  );
  chmodSync(program, 0o755);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('dropped events, from the live fold to the screen', () => {
  it('the last frame counts each kind of drop, and the view’s line names them', async () => {
    const frames: SyscallFrame[] = [];
    let settle: (s: SourceState) => void = () => undefined;
    const settled = new Promise<SourceState>((r) => (settle = r));
    const source = startSysdigLive(
      {
        onState: (s) => {
          if (s.phase === 'exited' || s.phase === 'failed') settle(s);
        },
        onFrame: (f) => frames.push(f),
      },
      { clock: systemClock, program, maxKeys: 2, windowSeconds: 60 },
    );
    expect(await settled).toMatchObject({ phase: 'exited', reason: 'end-of-input' });
    source.dispose();
    const last = frames.at(-1)!;
    // read and write of aaaa fill the bound: openat of aaaa and both reads of bbbb overflow.
    expect(last.dropped).toEqual({ overflow: 3, late: 1, malformed: 2 });

    const { state, seq } = beginSubscribe(initialSyscallsState, { kind: 'sysdig-live' });
    const subscribed = applySubscribeResult(
      state,
      seq,
      ok({ subId: 'sub-1', state: { phase: 'streaming', since: Date.now() as never } }),
    );
    const shown = applyFrame(subscribed, 'sub-1', last).shown;
    expect(droppedTotal(shown)).toBe(6);
    expect(droppedText(shown)).toBe('dropped: 3 over the key bound, 1 late, 2 malformed');
  });
});
