import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'release/**', 'docs/**', 'resources/**', '.bench-tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly', Buffer: 'readonly' }
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'Only the Electron shell (src-main/index.ts, src-main/ipc.ts, src-preload/index.ts) may import electron.' }]
        }
      ]
    }
  },
  {
    files: ['src-main/index.ts', 'src-main/ipc.ts', 'src-main/window-options.ts', 'src-main/shell/**/*.ts', 'src-preload/index.ts', 'electron.vite.config.ts'],
    rules: { 'no-restricted-imports': 'off' }
  }
)
