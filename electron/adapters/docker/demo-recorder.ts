import { execFile } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';

import type { ContainerId, EpochMillis } from '../../../shared/domain/ids.js';
import { toContainerId } from '../../../shared/domain/ids.js';
import type { ContainerDetails } from '../../../shared/ipc/contract.js';
import { LAB_LABEL } from '../../../shared/domain/lab.js';
import type {
  DemoKernelRecording,
  DemoLabRecording,
  DemoPostureRecording,
  DemoScenario,
  EnginePort,
  HostEvidencePort,
} from '../../services/ports.js';
import { writeTextAtomic } from '../atomic-write.js';
import { parseDemoScenario } from '../demo/demo-file.js';

const run = promisify(execFile);

/** Label on every container the recorder creates, so it removes exactly those. */
export const RECORDING_LABEL = 'bulkhead.demo-recording';

/**
 * The contrasting containers of the demo scenario: name, `docker run` flags, command.
 *
 * `privileged` cannot start on the CI machines (the VM withholds CAP_SYS_RESOURCE), so it is recorded as
 * created; `all-caps` is its running stand-in.
 */
export const DEMO_CONTAINERS: readonly {
  name: string;
  flags: readonly string[];
  command: readonly string[];
}[] = [
  {
    name: 'web-default',
    flags: ['-p', '127.0.0.1:8080:8080'],
    command: ['httpd', '-f', '-p', '8080', '-h', '/tmp'],
  },
  {
    name: 'hardened',
    flags: [
      '--read-only',
      '--cap-drop',
      'ALL',
      '--security-opt',
      'no-new-privileges',
      '--user',
      '1000:1000',
      '--memory',
      '64m',
      '--pids-limit',
      '50',
      '--cpus',
      '0.5',
    ],
    command: ['sleep', 'infinity'],
  },
  { name: 'privileged', flags: ['--privileged'], command: ['sleep', 'infinity'] },
  {
    name: 'all-caps',
    flags: [
      '--cap-add',
      'ALL',
      '--cap-drop',
      'SYS_RESOURCE',
      '--security-opt',
      'seccomp=unconfined',
      '--security-opt',
      'systempaths=unconfined',
    ],
    command: ['sleep', 'infinity'],
  },
  {
    name: 'docker-sock',
    flags: ['-v', '/var/run/docker.sock:/var/run/docker.sock', '--pid', 'host', '--net', 'host'],
    command: ['sleep', 'infinity'],
  },
  { name: 'batch-job', flags: [], command: ['sh', '-c', 'echo done; exit 3'] },
];

/** Quote an argument the way a POSIX shell user would type it (only where needed). */
function shellWord(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

async function docker(args: readonly string[]): Promise<string> {
  const { stdout } = await run('docker', [...args], { maxBuffer: 16 * 1024 * 1024 });
  return stdout.trim();
}

/** State.Pid of a running container's inspect document, or null. */
function runningPid(inspect: unknown): number | null {
  const state = (inspect as { State?: { Running?: unknown; Pid?: unknown } } | null)?.State;
  return state?.Running === true && typeof state.Pid === 'number' && state.Pid > 0 ? state.Pid : null;
}

/**
 * What posture needs beyond the inspect documents: the engine's info/version, the daemon facts decided from
 * the host, and — on a local engine — the host's LSMs and each running container's kernel evidence and
 * processes, read right after its inspect so the PIDs match.
 */
export async function recordPosture(
  engine: EnginePort,
  host: HostEvidencePort,
  containers: readonly ContainerDetails[],
): Promise<DemoPostureRecording> {
  const [documents, decided, hostFacts] = await Promise.all([
    engine.engineDocuments(),
    host.decideEngineFacts(),
    host.local ? host.hostFacts() : Promise.resolve(null),
  ]);
  const kernels: DemoKernelRecording[] = [];
  if (host.local) {
    const running = containers
      .map((c) => ({ id: c.summary.id, pid: runningPid(c.inspect) }))
      .filter((c): c is { id: ContainerId; pid: number } => c.pid !== null);
    const processes = await host.containerProcesses(
      running.map((c) => c.pid),
      hostFacts?.pidNamespace ?? null,
    );
    for (const c of running) {
      const listed = processes.get(c.pid);
      kernels.push({
        id: c.id,
        kernel: await host.kernelEvidence(c.pid, c.id),
        processes: listed?.ok === true ? listed.value : null,
      });
    }
  }
  return { engine: documents, decided, host: hostFacts, containers: kernels };
}

/**
 * Record the demo scenario from real containers.
 *
 * Creates each container with `docker create` + `docker start` (a start the engine refuses is logged and
 * the container recorded as created), waits for them to settle, inspects them through the same EnginePort the
 * app uses, records the posture evidence (engine documents, daemon facts and, with a local `host`, /proc),
 * writes the scenario atomically (temp file + rename), and removes exactly the containers it made.
 */
export async function recordDemoScenario(options: {
  engine: EnginePort;
  /** Host evidence for the posture recording; a remote engine's records configuration only. */
  host: HostEvidencePort;
  image: string;
  out: string;
  log: (line: string) => void;
  now: () => EpochMillis;
}): Promise<DemoScenario> {
  const { engine, image, out, log } = options;
  const info = await engine.describe();
  // Leftovers of an interrupted recording carry the label; remove them so the names are free.
  const leftovers = await docker(['ps', '-aq', '--filter', `label=${RECORDING_LABEL}`]);
  if (leftovers !== '') await docker(['rm', '-f', ...leftovers.split('\n')]);
  const created: { id: ContainerId; name: string }[] = [];
  try {
    for (const spec of DEMO_CONTAINERS) {
      const name = `demo-${spec.name}`;
      const id = toContainerId(
        await docker([
          'create',
          '--name',
          name,
          '--label',
          `${RECORDING_LABEL}=1`,
          ...spec.flags,
          image,
          ...spec.command,
        ]),
      );
      created.push({ id, name });
      try {
        await docker(['start', id]);
        log(`started ${name}`);
      } catch (e) {
        const reason =
          (e instanceof Error ? e.message : String(e)).split('\n').find((l) => l.includes('Error')) ?? '';
        log(`the engine refused to start ${name}; recording it as created. ${reason.trim()}`);
      }
    }
    // Let the batch job exit and the others settle into their steady state.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const containers: ContainerDetails[] = [];
    for (const c of created) {
      containers.push(await engine.inspectContainer(c.id));
    }
    const posture = await recordPosture(engine, options.host, containers);
    const scenario: DemoScenario = {
      format: 'bulkhead-demo/1',
      recordedAt: options.now(),
      recordedWith: [
        `bulkhead demo record --image ${image}`,
        ...DEMO_CONTAINERS.map(
          (s) => `  demo-${s.name}: docker run ${[...s.flags, image, ...s.command].map(shellWord).join(' ')}`,
        ),
      ].join('\n'),
      engine: info,
      containers,
      posture,
    };
    // A lab session recorded into the old file (bulkhead lab record) stays.
    const previous = await readScenarioOrNull(out);
    const kept = previous === null ? null : labPart(previous);
    await writeScenarioFile(out, kept === null ? scenario : withLab(scenario, kept));
    if (kept !== null)
      log(`kept the lab session recorded on ${new Date(kept.meta.recordedAt).toISOString()}`);
    log(
      `recorded ${containers.length} containers (kernel evidence for ${posture.containers.length}) into ${out}`,
    );
    return scenario;
  } finally {
    for (const c of created) {
      await docker(['rm', '-f', c.id]).catch((e: unknown) => log(`could not remove ${c.name}: ${String(e)}`));
    }
  }
}

/** Write a scenario atomically (a temporary file, then a rename). */
export async function writeScenarioFile(out: string, scenario: DemoScenario): Promise<void> {
  await mkdir(dirname(out), { recursive: true });
  await writeTextAtomic(out, `${JSON.stringify(scenario, null, 1)}\n`);
}

/** The scenario at `path`, or null when there is no file; throws BulkheadError for a corrupt one. */
export async function readScenarioOrNull(path: string): Promise<DemoScenario | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as { code?: unknown }).code === 'ENOENT') return null;
    throw e;
  }
  return parseDemoScenario(text, path);
}

/** A lab session's part of a scenario: its containers, their kernel evidence, and how it was recorded. */
export interface DemoLabPart {
  readonly containers: readonly ContainerDetails[];
  readonly kernels: readonly DemoKernelRecording[];
  readonly meta: DemoLabRecording;
}

const isLabContainer = (c: ContainerDetails): boolean => c.summary.labels[LAB_LABEL] === '1';

/** The lab session recorded into `scenario`, or null when it holds none. */
export function labPart(scenario: DemoScenario): DemoLabPart | null {
  if (scenario.lab === undefined) return null;
  const containers = scenario.containers.filter(isLabContainer);
  const ids = new Set<string>(containers.map((c) => c.summary.id));
  const kernels = (scenario.posture?.containers ?? []).filter((k) => ids.has(k.id));
  return { containers, kernels, meta: scenario.lab };
}

/**
 * `scenario` with `lab` as its lab session: the lab containers of an earlier session (and their kernel
 * evidence) replaced by the new ones, everything else as it was. Kernel evidence needs the scenario's
 * posture recording (the engine and host documents): without one, the lab containers' is left out.
 */
export function withLab(scenario: DemoScenario, lab: DemoLabPart): DemoScenario {
  const ids = new Set<string>(lab.containers.map((c) => c.summary.id));
  const containers = [
    ...scenario.containers.filter((c) => !isLabContainer(c) && !ids.has(c.summary.id)),
    ...lab.containers,
  ];
  const keep = new Set<string>(containers.map((c) => c.summary.id));
  const posture =
    scenario.posture === undefined
      ? undefined
      : {
          ...scenario.posture,
          containers: [
            ...scenario.posture.containers.filter((k) => keep.has(k.id) && !ids.has(k.id)),
            ...lab.kernels,
          ],
        };
  return { ...scenario, containers, ...(posture !== undefined ? { posture } : {}), lab: lab.meta };
}
