import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    // The pages' own script runs in the browser.
    files: ['src/platform/views/public/**/*.js'],
    languageOptions: { globals: { document: 'readonly', window: 'readonly', fetch: 'readonly', DOMParser: 'readonly', setTimeout: 'readonly' } },
  },
  {
    files: ['src/server.ts', 'src/cli/**', 'bench/**', 'test/**'],
    rules: { 'no-console': 'off' },
  },
)
