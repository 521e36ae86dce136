import type { ChildProcess } from 'node:child_process';
import { execFile, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';

import type { BpftraceProgramOptions } from '../../electron/adapters/syscalls/bpftrace-program.js';
import { bpftraceArgs, emptyProgram } from '../../electron/adapters/syscalls/bpftrace-program.js';
import type { BpftraceSource } from '../../electron/adapters/syscalls/bpftrace-source.js';
import { startBpftraceSource } from '../../electron/adapters/syscalls/bpftrace-source.js';
import { systemClock } from '../../electron/adapters/system-clock.js';
import { ensureTracefs } from '../support/tracefs.js';

/**
 * Benchmark (c): what the eBPF source costs per syscall, and what it does to a request/response workload.
 *
 * Per syscall: a `dd bs=1 count=N if=/dev/zero of=/dev/null` in a container (2N+1 syscalls), timed inside
 * the container by busybox `time` (so container start-up is not in it) — dd's CPU time (user + sys), which
 * the probe's cost is charged to and which other load on the machine does not inflate, and its wall time —
 * with
 *   (a) no tracing,
 *   (b) an empty program on tracepoint:raw_syscalls:sys_enter — the floor every raw_syscalls tracer pays,
 *   (c) Bulkhead's source (bpftrace-source.ts with its default program, parsing and folding as in the app),
 * and, for comparison, the source with the program's other forms (two alternating maps; host filtered in
 * the probe). Variants run in alternating order, several rounds; medians. Added cost = variant − (a), and
 * Bulkhead's added cost as a multiple of the floor's (target ≤ 1.5×).
 *
 * Request/response: busybox httpd in one container, a loop of `wget` from another on a user-defined
 * network, ms per request with tracing off and with Bulkhead's source; the slowdown is their ratio.
 *
 * Needs root, bpftrace, tracefs (mounted here if it is not), the real dockerd and the test image.
 */

const run = promisify(execFile);
const IMAGE = 'bulkhead-test/busybox:1';
const LABEL = 'bulkhead.test=1';
const NETWORK = 'bulkhead-bench-bpf';
const SERVER = 'bulkhead-bench-bpf-httpd';
const DD_COUNT = Number(process.env['BULKHEAD_BPF_DD_COUNT'] ?? 1_000_000);
const ROUNDS = Number(process.env['BULKHEAD_BPF_ROUNDS'] ?? 5);
const REQUESTS = Number(process.env['BULKHEAD_BPF_REQUESTS'] ?? 300);

/** One line of the result. */
export interface BpfBenchLine {
  readonly name: string;
  /** Median ns per syscall (dd) or ms per request (request/response). */
  readonly median: number;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function docker(...args: string[]): Promise<string> {
  return (await run('docker', args, { maxBuffer: 16 * 1024 * 1024 })).stdout.trim();
}

/** Seconds between the two /proc/uptime readings the request loop prints as `A B`. */
function elapsed(out: string): number {
  const m = /(\d+\.\d+) (\d+\.\d+)\s*$/.exec(out);
  if (m === null) throw new Error(`workload printed no timing: ${out.slice(0, 200)}`);
  return Number(m[2]) - Number(m[1]);
}

/** A tracer running while one measurement is taken. */
interface Tracer {
  /** bpftrace's process id. */
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

/** A raw program: ready once BEGIN runs (bpftrace runs BEGIN after every probe is attached). */
async function startRaw(program: string): Promise<Tracer> {
  const child: ChildProcess = spawn('bpftrace', bpftraceArgs(`${program}\nBEGIN { printf("ready\\n"); }`), {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (t: string) => {
      out += t;
      if (out.includes('ready\n')) resolve();
    });
    child.on('error', reject);
    child.on('close', (code) => reject(new Error(`bpftrace exited (${code}) before it was ready`)));
  });
  return {
    pid: child.pid,
    stop: () =>
      new Promise<void>((resolve) => {
        child.on('close', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Bulkhead's source (program, parser, resolver, fold): ready once streaming. */
async function startSource(bpf: BpftraceProgramOptions): Promise<Tracer> {
  const s: BpftraceSource = startBpftraceSource(
    { onState: () => undefined, onFrame: () => undefined },
    { clock: systemClock, bpf },
  );
  const end = Date.now() + 30_000;
  while (s.state.phase === 'starting') {
    if (Date.now() > end) throw new Error('the bpftrace source did not start');
    await sleep(20);
  }
  if (s.state.phase !== 'streaming') throw new Error(`the bpftrace source ${JSON.stringify(s.state)}`);
  const pid = s.pid;
  return {
    pid,
    async stop() {
      s.dispose();
      // Wait for bpftrace to be gone, so its detach is not in the next measurement.
      while (pid !== undefined && existsSync(`/proc/${pid}`)) await sleep(20);
    },
  };
}

interface Variant {
  readonly name: string;
  readonly start: (() => Promise<Tracer>) | null;
}

const VARIANTS: readonly Variant[] = [
  { name: '(a) no tracing', start: null },
  { name: '(b) empty program (floor)', start: () => startRaw(emptyProgram()) },
  { name: "(c) Bulkhead's source", start: () => startSource({}) },
  { name: '    alt: two alternating maps', start: () => startSource({ mode: 'alternate' }) },
  { name: '    alt: host filtered in probe', start: () => startSource({ skipHost: true }) },
];

/**
 * Reference probes for the in-program pass only: what the map update itself costs in the bpftrace on this
 * machine. bpftrace 0.17 compiles `count()` to a map lookup followed by a map update on every event; a
 * keyless map is a per-CPU array (the update is a copy), a keyed one a per-CPU hash (the update takes the
 * bucket lock). No bpftrace 0.17 form increments a keyed counter in place, so the keyed hash update is the
 * floor of any exact per-(cgroup, syscall) count, and the gap between these two lines is that floor's price.
 */
const REFERENCE_PROBES: readonly Variant[] = [
  {
    name: '    ref: keyless count() (array)',
    start: () => startRaw('tracepoint:raw_syscalls:sys_enter { @n = count(); }'),
  },
  {
    name: '    ref: count() keyed by nr only',
    start: () => startRaw('tracepoint:raw_syscalls:sys_enter { @n[args->id] = count(); }'),
  },
];

/** One dd run: CPU time (user + sys) of the dd process and its wall time, in seconds. */
interface DdRun {
  readonly cpu: number;
  readonly wall: number;
}

async function ddRun(): Promise<DdRun> {
  // busybox `time` reports dd's own rusage: the probe's cost is charged to the task making the syscall, and
  // CPU time does not count the waits for a CPU that other load on the machine causes (wall time does).
  const out = await docker(
    'run',
    '--rm',
    '--label',
    LABEL,
    IMAGE,
    'sh',
    '-c',
    `time -o /tmp/t -f '%e %U %S' dd bs=1 count=${DD_COUNT} if=/dev/zero of=/dev/null 2>/dev/null && cat /tmp/t`,
  );
  const m = /^(\d+\.\d+) (\d+\.\d+) (\d+\.\d+)\s*$/.exec(out);
  if (m === null) throw new Error(`dd printed no timing: ${out.slice(0, 200)}`);
  return { wall: Number(m[1]), cpu: Number(m[2]) + Number(m[3]) };
}

async function requestSeconds(): Promise<number> {
  const out = await docker(
    'run',
    '--rm',
    '--label',
    LABEL,
    '--network',
    NETWORK,
    IMAGE,
    'sh',
    '-c',
    `read a _ < /proc/uptime; i=0; while [ $i -lt ${REQUESTS} ]; do wget -q -O /dev/null http://${SERVER}:8080/index.html || exit 1; i=$((i+1)); done; read b _ < /proc/uptime; echo $a $b`,
  );
  return elapsed(out);
}

async function measure<T>(variant: Variant, work: () => Promise<T>): Promise<T> {
  const tracer = variant.start === null ? null : await variant.start();
  try {
    return await work();
  } finally {
    await tracer?.stop();
  }
}

const BPF_STATS = '/proc/sys/kernel/bpf_stats_enabled';

/** run_time_ns and run_cnt of the busiest BPF program bpftrace `pid` holds (the sys_enter probe). */
function probeStats(pid: number): { ns: number; runs: number } {
  let best = { ns: 0, runs: 0 };
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    let target: string;
    try {
      target = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue;
    }
    if (target !== 'anon_inode:bpf-prog') continue;
    const info = readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8');
    const ns = Number(/^run_time_ns:\s+(\d+)/m.exec(info)?.[1] ?? 0);
    const runs = Number(/^run_cnt:\s+(\d+)/m.exec(info)?.[1] ?? 0);
    if (runs > best.runs) best = { ns, runs };
  }
  return best;
}

/**
 * Time spent inside the probe's BPF program per run during one dd, from the kernel's own BPF statistics
 * (kernel.bpf_stats_enabled, switched on only for this pass and restored after). It leaves out the floor
 * (the tracepoint's own dispatch), and other load on the machine barely touches it.
 */
async function inProgramNs(variant: Variant): Promise<number> {
  const tracer = await variant.start!();
  try {
    const pid = tracer.pid!;
    const before = probeStats(pid);
    await ddRun();
    const after = probeStats(pid);
    return (after.ns - before.ns) / Math.max(1, after.runs - before.runs);
  } finally {
    await tracer.stop();
  }
}

async function cleanup(): Promise<void> {
  await docker('rm', '-f', SERVER).catch(() => undefined);
  await docker('network', 'rm', NETWORK).catch(() => undefined);
}

/** Run the benchmark, printing through `log`; returns the medians. */
export async function runBpfBench(log: (line: string) => void): Promise<BpfBenchLine[]> {
  await ensureTracefs();
  const syscalls = 2 * DD_COUNT + 1;
  log(`bpf: dd bs=1 count=${DD_COUNT} (${syscalls} syscalls) in ${IMAGE}, ${ROUNDS} alternating rounds …`);
  const cpu = new Map<string, number[]>(VARIANTS.map((v) => [v.name, []]));
  const wall = new Map<string, number[]>(VARIANTS.map((v) => [v.name, []]));
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? VARIANTS : [...VARIANTS].reverse();
    for (const v of order) {
      const one = await measure(v, ddRun);
      cpu.get(v.name)!.push((one.cpu * 1e9) / syscalls);
      wall.get(v.name)!.push((one.wall * 1e9) / syscalls);
    }
  }
  const lines: BpfBenchLine[] = [];
  for (const [metric, table] of [
    ['CPU time of dd (user+sys)', cpu],
    ['wall time of dd', wall],
  ] as const) {
    const nsOf = (name: string): number => median(table.get(name)!);
    const base = nsOf(VARIANTS[0]!.name);
    const floorAdded = nsOf(VARIANTS[1]!.name) - base;
    log(`ns per syscall, ${metric} (median; added = variant − no tracing; × floor = added / floor's added):`);
    for (const v of VARIANTS) {
      const ns = nsOf(v.name);
      lines.push({ name: `${metric} ${v.name}`, median: ns });
      const added = ns - base;
      const runs = table
        .get(v.name)!
        .map((x) => x.toFixed(0))
        .join(' ');
      log(
        `  ${v.name.padEnd(34)} ${ns.toFixed(0).padStart(6)} ns` +
          (v.start === null
            ? '                               '
            : `   added ${added.toFixed(0).padStart(5)} ns   × floor ${(added / floorAdded).toFixed(2)}`) +
          `   [runs: ${runs}]`,
      );
    }
    const m = (nsOf(VARIANTS[2]!.name) - base) / floorAdded;
    // On this VM the runs are bimodal (a slow mode about twice the fast one, from interference the task's own
    // CPU time still includes), and medians of five can land in different modes for different variants: the
    // least-disturbed run of each is the steadier comparison, so both are printed and both must meet.
    const minOf = (name: string): number => Math.min(...table.get(name)!);
    const minBase = minOf(VARIANTS[0]!.name);
    const mMin = (minOf(VARIANTS[2]!.name) - minBase) / (minOf(VARIANTS[1]!.name) - minBase);
    log(
      `  Bulkhead's added cost = ${m.toFixed(2)}× the floor's by medians, ${mMin.toFixed(2)}× by the fastest runs (target ≤ 1.5×): ${m <= 1.5 && mMin <= 1.5 ? 'met' : 'NOT met'}`,
    );
  }

  if (existsSync(BPF_STATS)) {
    const was = readFileSync(BPF_STATS, 'utf8').trim();
    const traced = [...VARIANTS.filter((v) => v.start !== null), ...REFERENCE_PROBES];
    const inProg = new Map<string, number[]>(traced.map((v) => [v.name, []]));
    try {
      writeFileSync(BPF_STATS, '1');
      for (let r = 0; r < Math.min(ROUNDS, 3); r++) {
        for (const v of r % 2 === 0 ? traced : [...traced].reverse())
          inProg.get(v.name)!.push(await inProgramNs(v));
      }
    } finally {
      writeFileSync(BPF_STATS, was);
    }
    const empty = median(inProg.get(traced[0]!.name)!);
    log(
      "ns per syscall inside the sys_enter BPF program (kernel BPF stats; the floor's dispatch not included):",
    );
    for (const v of traced) {
      const ns = median(inProg.get(v.name)!);
      lines.push({ name: `in-program ${v.name}`, median: ns });
      log(
        `  ${v.name.padEnd(34)} ${ns.toFixed(0).padStart(6)} ns   (+${(ns - empty).toFixed(0)} ns over the empty program)   [runs: ${inProg
          .get(v.name)!
          .map((x) => x.toFixed(0))
          .join(' ')}]`,
      );
    }
  }

  // Request/response between two containers.
  await cleanup();
  try {
    await docker('network', 'create', '--label', LABEL, NETWORK);
    await docker(
      'run',
      '-d',
      '--label',
      LABEL,
      '--network',
      NETWORK,
      '--name',
      SERVER,
      IMAGE,
      'sh',
      '-c',
      'mkdir -p /www && echo hello > /www/index.html && exec httpd -f -p 8080 -h /www',
    );
    await sleep(500);
    log(
      `bpf: request/response, ${REQUESTS} wget requests to busybox httpd across a user-defined network, ${ROUNDS} rounds …`,
    );
    const rr = [VARIANTS[0]!, VARIANTS[2]!];
    const ms = new Map<string, number[]>(rr.map((v) => [v.name, []]));
    for (let r = 0; r < ROUNDS; r++) {
      const order = r % 2 === 0 ? rr : [...rr].reverse();
      for (const v of order) ms.get(v.name)!.push(((await measure(v, requestSeconds)) * 1000) / REQUESTS);
    }
    const off = median(ms.get(rr[0]!.name)!);
    const on = median(ms.get(rr[1]!.name)!);
    for (const v of rr) {
      const m = median(ms.get(v.name)!);
      lines.push({ name: `request/response ${v.name}`, median: m });
      log(
        `  ${v.name.padEnd(34)} ${m.toFixed(2).padStart(7)} ms/request   [runs: ${ms
          .get(v.name)!
          .map((x) => x.toFixed(2))
          .join(' ')}]`,
      );
    }
    log(`  slowdown with Bulkhead's source: ${(on / off).toFixed(3)}×`);
  } finally {
    await cleanup();
  }
  return lines;
}
