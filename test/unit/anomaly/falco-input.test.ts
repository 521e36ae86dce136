import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import type { FalcoReceiver } from '../../../electron/adapters/anomaly/falco-input.js';
import {
  importFalcoFile,
  parseFalcoBody,
  startFalcoReceiver,
} from '../../../electron/adapters/anomaly/falco-input.js';
import { alertRecords, createAlertTable } from '../../../shared/domain/anomaly/alerts.js';
import type { FalcoAlert, FalcoLineError } from '../../../shared/domain/anomaly/falco.js';

const EVENTS = resolve(import.meta.dirname, '..', '..', '..', '..', 'shared', 'data', 'events');
const CAT_WRITE = join(EVENTS, 'falco_single_rule_with_cat_write.json');
const SIDEKICK = join(EVENTS, 'falcosidekick_readme_example_payload.json');
const tmp = mkdtempSync(join(tmpdir(), 'bulkhead-falco-'));
const receivers: FalcoReceiver[] = [];

afterAll(async () => {
  rmSync(tmp, { recursive: true, force: true });
  await Promise.all(receivers.map((r) => r.close()));
});

describe('importing a Falco file', () => {
  it('imports both real samples into one timeline', async () => {
    const table = createAlertTable();
    const a = await importFalcoFile(CAT_WRITE, table);
    const b = await importFalcoFile(SIDEKICK, table);
    expect(a).toMatchObject({ lines: 8, alerts: 8, malformed: 0, dropped: 0, errors: [] });
    expect(b).toMatchObject({ alerts: 1, malformed: 0 });
    expect(alertRecords(table).map((r) => [r.ruleId, r.count, r.severity])).toEqual([
      ['open_from_cat', 8, 'medium'],
      ['Write below binary dir', 1, 'high'],
    ]);
  });

  it('skips and counts malformed lines in a file of any size', async () => {
    const path = join(tmp, 'mixed.json');
    const good = '{"time":"2024-01-01T00:00:00Z","rule":"r","priority":"Notice","output":"o"}';
    const lines: string[] = [];
    for (let i = 0; i < 5000; i++) lines.push(i % 10 === 0 ? `{broken ${i}` : good);
    writeFileSync(path, lines.join('\n'));
    const table = createAlertTable();
    const s = await importFalcoFile(path, table);
    expect(s).toMatchObject({ lines: 5000, alerts: 4500, malformed: 500 });
    expect(s.errors).toHaveLength(100);
    expect(s.errors[1]).toMatchObject({ line: 11, error: 'not-json' });
    expect(alertRecords(table)[0]!.count).toBe(4500);
  });

  it('says what is wrong with a path', async () => {
    const table = createAlertTable();
    await expect(importFalcoFile(join(tmp, 'missing.json'), table)).rejects.toMatchObject({
      code: 'not-found',
    });
    await expect(importFalcoFile(tmp, table)).rejects.toMatchObject({ code: 'bad-request' });
    await expect(importFalcoFile('a\0b', table)).rejects.toMatchObject({ code: 'bad-request' });
  });
});

function post(
  url: string,
  body: string,
  headers: Record<string, string> = { 'content-type': 'application/json' },
  method = 'POST',
): Promise<{ status: number; body: string }> {
  return new Promise((resolvePromise, reject) => {
    const req = request(url, { method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** POST without a Content-Length (chunked), so only the streaming bound can stop it. */
function postChunked(url: string, chunks: readonly string[]): Promise<{ status: number }> {
  return new Promise((resolvePromise, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolvePromise({ status: res.statusCode ?? 0 }));
    });
    req.on('error', reject);
    for (const c of chunks) req.write(c);
    req.end();
  });
}

describe('the HTTP receiver', () => {
  it('accepts alerts posted as Falco and falcosidekick post them, on 127.0.0.1 only', async () => {
    const alerts: FalcoAlert[] = [];
    const errors: FalcoLineError[] = [];
    const r = await startFalcoReceiver({
      maxBodyBytes: 4096,
      onAlert: (a) => alerts.push(a),
      onError: (e) => errors.push(e),
    });
    receivers.push(r);
    expect(r.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const one = readFileSync(SIDEKICK, 'utf8');
    expect(await post(r.url, one)).toMatchObject({ status: 200 });
    expect(alerts.map((a) => a.rule)).toEqual(['Write below binary dir']);

    // An array with one bad item: the good one is kept, the bad one named.
    const res = await post(`${r.url}falco`, `[${one.trim()}, {"rule": 1}]`);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ accepted: 1, refused: 1 });
    expect(errors).toHaveLength(1);

    expect((await post(r.url, 'nonsense')).status).toBe(400);
    expect((await post(r.url, one, { 'content-type': 'text/plain' })).status).toBe(415);
    expect(
      (await post(r.url, one, { 'content-type': 'application/json', origin: 'http://evil.example' })).status,
    ).toBe(403);
    expect((await post(r.url, '', {}, 'GET')).status).toBe(405);
    expect((await post(`${r.url}other`, one)).status).toBe(404);
    expect((await post(r.url, 'x'.repeat(5000))).status).toBe(413);
    expect((await postChunked(r.url, ['x'.repeat(3000), 'x'.repeat(3000)])).status).toBe(413);
    expect(r.counts).toMatchObject({ accepted: 2, refused: 2 });
  });

  it('parses bodies: one object, an array, or JSON lines', () => {
    const a = '{"time":"2024-01-01T00:00:00Z","rule":"r","priority":"Notice","output":"o"}';
    expect(parseFalcoBody(a).alerts).toHaveLength(1);
    expect(parseFalcoBody(`[${a},${a}]`).alerts).toHaveLength(2);
    expect(parseFalcoBody(`${a}\n${a}\n`).alerts).toHaveLength(2);
    expect(parseFalcoBody('42').errors[0]).toMatchObject({ error: 'not-object' });
  });

  it('refuses a body bound that makes no sense', async () => {
    await expect(startFalcoReceiver({ maxBodyBytes: 0, onAlert: () => undefined })).rejects.toThrow(
      RangeError,
    );
  });
});
