import { describe, expect, it } from 'vitest';

import { parseWebArgs } from '../../../electron/web/args.js';

describe('parseWebArgs', () => {
  it.each([
    [[], { port: 0, token: undefined }],
    [['--port', '0'], { port: 0, token: undefined }],
    [['--port', '8123'], { port: 8123, token: undefined }],
    [['--port=8123', '--token=abcdefghijklmnopq'], { port: 8123, token: 'abcdefghijklmnopq' }],
    [['--host', '127.0.0.1', '--token', 'tok'], { port: 0, token: 'tok' }],
    [['--host', 'localhost'], { port: 0, token: undefined }],
  ])('%j → %j', (argv, expected) => {
    expect(parseWebArgs(argv)).toEqual(expected);
  });

  it('answers help', () => {
    expect(parseWebArgs(['--help'])).toBe('help');
  });

  it.each([
    [['--host', '0.0.0.0'], /listens on 127\.0\.0\.1 only/],
    [['--host', '192.168.1.5'], /refusing --host/],
    [['--host', '::'], /refusing --host/],
    [['--port', '-1'], /--port must be/],
    [['--port', '65536'], /--port must be/],
    [['--port', '80.5'], /--port must be/],
    [['--port'], /--port needs a value/],
    [['--token', ''], /--token needs a value/],
    [['--verbose'], /unknown argument/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseWebArgs(argv)).toThrow(message);
  });
});
