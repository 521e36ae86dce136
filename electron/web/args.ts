// Command line of browser mode; kept apart from main.ts so it can be tested without starting anything.

/** Usage text of browser mode. */
export const USAGE = `Usage: npm run web -- [--port N] [--token T] [--host 127.0.0.1|localhost]
       node dist/web.cjs [same options]

  --port N    TCP port on 127.0.0.1 (default 0: a free port)
  --token T   access token (default: 32 random bytes); at least 16 characters
  --host H    only loopback is accepted; browser mode is never reachable from other machines`;

/** The parsed command line of browser mode. */
export interface WebArgs {
  readonly port: number;
  readonly token: string | undefined;
}

/**
 * Parse browser-mode arguments.
 *
 * Throws an Error with a user-facing message on anything unknown, a bad port, or a non-loopback host.
 */
export function parseWebArgs(argv: readonly string[]): WebArgs | 'help' {
  let port = 0;
  let token: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? splitOnce(arg, '=') : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--help':
      case '-h':
        return 'help';
      case '--port': {
        const text = value();
        const n = Number(text);
        if (!/^\d+$/.test(text) || !Number.isInteger(n) || n < 0 || n > 65535) {
          throw new Error(`--port must be an integer from 0 to 65535, got ${JSON.stringify(text)}`);
        }
        port = n;
        break;
      }
      case '--token':
        token = value();
        break;
      case '--host': {
        const host = value();
        if (host !== '127.0.0.1' && host !== 'localhost') {
          throw new Error(
            `refusing --host ${JSON.stringify(host)}: browser mode listens on 127.0.0.1 only, because anyone who can reach it sees your containers`,
          );
        }
        break;
      }
      default:
        throw new Error(`unknown argument ${JSON.stringify(arg)}`);
    }
  }
  return { port, token };
}

function splitOnce(text: string, sep: string): [string, string] {
  const at = text.indexOf(sep);
  return [text.slice(0, at), text.slice(at + 1)];
}
