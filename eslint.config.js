// The folder decides what a file may import (../shared/STYLE.md §1). The TS configs keep the wrong globals
// out of each folder; these rules keep the wrong modules out.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const NODE_BUILTINS = [
  'node:*',
  'fs',
  'fs/*',
  'path',
  'os',
  'child_process',
  'net',
  'http',
  'https',
  'crypto',
  'stream',
  'events',
  'url',
  'util',
  'zlib',
  'tls',
  'dgram',
  'worker_threads',
];

// Bare module names ('util', 'path', 'react') are matched exactly (and their subpaths), not as gitignore
// patterns: as a pattern, 'util' would also forbid a relative import of shared/util/assert-never.js.
const isBareName = (p) => /^[a-z][a-z0-9_-]*$/i.test(p);
const forbid = (patterns, message) => ({
  'no-restricted-imports': [
    'error',
    {
      paths: patterns.filter(isBareName).map((name) => ({ name, message })),
      patterns: [
        {
          group: [
            ...new Set([
              ...patterns.filter((p) => !isBareName(p)),
              ...patterns.filter(isBareName).map((n) => `${n}/*`),
            ]),
          ],
          message,
        },
      ],
    },
  ],
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-results/**', 'assets/**', '**/*.cjs', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // Build and tool configs run in Node outside the four TS projects: linted, but not type-checked.
    files: ['**/*.js', '**/*.mjs', 'renderer/vite.config.ts'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, globals: globals.node },
  },
  {
    files: ['shared/domain/**', 'shared/util/**'],
    rules: forbid(
      [
        'electron',
        'electron/*',
        ...NODE_BUILTINS,
        'dockerode',
        'react',
        'react-dom',
        'zustand',
        'zod',
        '**/electron/**',
        '**/renderer/**',
        '**/ipc/**',
      ],
      'shared/domain is pure: it may import only shared/domain and shared/util.',
    ),
  },
  {
    files: ['shared/ipc/**'],
    rules: forbid(
      [
        'electron',
        'electron/*',
        ...NODE_BUILTINS,
        'dockerode',
        'react',
        'react-dom',
        'zustand',
        '**/electron/**',
        '**/renderer/**',
      ],
      'shared/ipc (the contract) may import only shared/domain types and zod.',
    ),
  },
  {
    files: ['electron/adapters/**'],
    rules: forbid(
      ['electron', 'electron/*', '**/renderer/**', '**/shell/**'],
      'adapters must not import the electron module or the renderer.',
    ),
  },
  {
    files: ['electron/services/**'],
    rules: forbid(
      [
        'electron',
        'electron/*',
        'dockerode',
        ...NODE_BUILTINS,
        '**/adapters/**',
        '**/renderer/**',
        '**/shell/**',
      ],
      'services use adapter ports (electron/services/ports.ts), never concrete adapters, Node or Electron.',
    ),
  },
  {
    files: ['electron/web/**', 'electron/cli/**', 'electron/start.ts'],
    rules: forbid(
      ['electron', 'electron/*', '**/renderer/**', '**/shell/**'],
      'browser mode and the CLI run without Electron.',
    ),
  },
  {
    files: ['electron/shell/**'],
    rules: forbid(['**/renderer/**'], 'the shell must not import the renderer.'),
  },
  {
    files: ['renderer/src/**'],
    languageOptions: { globals: globals.browser },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      ...forbid(
        ['electron', 'electron/*', ...NODE_BUILTINS, 'dockerode', 'ws', '**/electron/**'],
        'the renderer sees only the typed bridge (window.bulkhead), never Node or Electron.',
      ),
    },
  },
);
