// Lint that encodes the architecture: no console in src (everything goes through pino), tools never touch
// HTTP or transports, the ElevenLabs layer never touches the MCP SDK.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'bench/results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', Buffer: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  { files: ['src/**/*.ts'], ignores: ['src/client/**'], rules: { 'no-console': 'error' } },
  {
    files: ['src/tools/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['express', 'cors', '**/transports/**', '**/http/**'], message: 'Tools know nothing of HTTP or transports.' }] },
      ],
    },
  },
  {
    files: ['src/elevenlabs/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@modelcontextprotocol/*', '**/mcp/**'], message: 'The ElevenLabs layer knows nothing of MCP.' }] },
      ],
    },
  },
  {
    files: ['src/transports/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@elevenlabs/*', '**/elevenlabs/**', '**/tools/**'], message: 'Transports know nothing of ElevenLabs.' }] },
      ],
    },
  },
);
