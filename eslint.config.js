import js from '@eslint/js'
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript'
import importX from 'eslint-plugin-import-x'
import tseslint from 'typescript-eslint'

const electronOnlyInShell = {
  name: 'electron',
  message: 'Only the Electron shell (src-main/index.ts, src-main/ipc.ts, src-main/shell/, src-preload/index.ts) may import electron.'
}

/**
 * The core's folders, lowest first: a folder may import from the folders before it, never from those
 * after it (ops → stats → remote → build → source → db → fs; errors.ts beside them is for all). stats/
 * reads access logs over SFTP, so it sits on remote/; ops/stats.ts runs it.
 */
const CORE_LAYERS = ['fs', 'db', 'source', 'build', 'signing', 'remote', 'stats', 'ops']

/** `no-restricted-imports` for one core folder: the folders above it, and the shells above the core. */
function coreLayerRule(layer) {
  const above = CORE_LAYERS.slice(CORE_LAYERS.indexOf(layer) + 1)
  return {
    files: [`src-main/core/${layer}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [electronOnlyInShell],
          patterns: [
            ...above.map((folder) => ({
              group: [`../${folder}/*`],
              message: `src-main/core/${layer}/ sits below ${folder}/: move the shared piece down (or into src-shared/) instead of importing upwards.`
            })),
            {
              group: ['**/src-preload/*', '**/src-renderer/*', '**/api.js', '**/cli/*', '**/cli.js', '**/ipc*.js'],
              message: 'The core knows nothing of the contract, the window or the CLI: import the model from src-shared/.'
            }
          ]
        }
      ]
    }
  }
}

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'release/**', 'docs/**', 'resources/**', '.bench-tmp/**', 'test/vendor/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { 'import-x': importX },
    settings: {
      // Without the TypeScript parser for dependencies, no-cycle cannot read them and silently finds nothing.
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
      'import-x/extensions': ['.ts', '.tsx', '.js'],
      'import-x/resolver-next': [
        createTypeScriptImportResolver({ project: ['tsconfig.node.json', 'tsconfig.web.json'], noWarnOnMultipleProjects: true })
      ]
    },
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly', Buffer: 'readonly' }
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      // A cycle works only while every cross use sits inside a function; the arrows run one way.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'no-restricted-imports': ['error', { paths: [electronOnlyInShell] }]
    }
  },
  {
    files: ['src-main/core/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [electronOnlyInShell],
          patterns: [{ group: ['./*/*'], message: 'core/errors.ts is the ground of the core: it imports no folder.' }]
        }
      ]
    }
  },
  ...CORE_LAYERS.map(coreLayerRule),
  {
    files: ['src-shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [electronOnlyInShell],
          patterns: [
            {
              group: ['node:*', 'ssh2', 'ssh2-sftp-client', 'lowdb', 'jszip', 'ignore', '@aws-sdk/*'],
              message: 'src-shared/ is pure TypeScript for every layer, the renderer too: no Node or I/O package.'
            },
            { group: ['../*'], message: 'src-shared/ is the ground floor: it imports nothing from the layers above it.' }
          ]
        }
      ]
    }
  },
  {
    files: ['src-renderer/**/*.ts', 'src-renderer/**/*.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [electronOnlyInShell],
          patterns: [
            {
              group: ['**/src-main/*', '**/src-main/**'],
              message: 'The renderer reaches main only through window.api; shared rules come from src-shared/.'
            },
            { group: ['node:*'], message: 'The renderer runs in a sandboxed page: no Node modules.' }
          ]
        }
      ]
    }
  },
  {
    files: [
      'src-main/index.ts',
      'src-main/ipc.ts',
      'src-main/window-options.ts',
      'src-main/shell/**/*.ts',
      'src-preload/index.ts',
      'electron.vite.config.ts'
    ],
    rules: { 'no-restricted-imports': 'off' }
  }
)
