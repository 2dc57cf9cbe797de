/**
 * ESLint for every workspace (each runs `eslint .` from its folder; ESLint finds this file
 * upward): typescript-eslint's type-checked recommended rules on TypeScript, through the
 * project service so each file is checked with the tsconfig.json that covers it. Plain
 * JavaScript (bench, scripts, the dashboard generator) gets the same rules without type
 * information, which it does not have.
 */
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  globalIgnores([
    '**/dist/',
    '**/node_modules/',
    '**/target/',
    '**/coverage/',
    '**/test-output/',
    '**/.turbo/',
    // gpu-sampler's built addon, the types napi-rs generates for it, its platform packages.
    'packages/gpu-sampler/native/',
    'packages/gpu-sampler/native.staging/',
    'packages/gpu-sampler/addon.d.ts',
    'packages/gpu-sampler/npm/',
  ]),
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    languageOptions: {
      globals: globals.node,
      parserOptions: {
        projectService: {
          // Files no tsconfig.json includes, checked with the base compiler options.
          allowDefaultProject: ['packages/metrics/vitest.config.ts', 'packages/gpu-sampler/vitest.config.ts'],
          defaultProject: 'tsconfig.base.json',
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
  },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    rules: {
      '@typescript-eslint/no-deprecated': 'error',
      // A leading underscore marks a parameter or binding kept on purpose (a signature's
      // shape, a type parameter); a rest sibling drops keys from a copy.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    // Tests read JSON bodies, socket payloads and parsed YAML as `any` on purpose: the test's
    // assertions are what check their shape, and a field read wrongly fails them.
    files: ['**/test/**', '**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    files: ['**/*.{js,mjs,cjs}'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    files: ['apps/studio/src/**'],
    languageOptions: { globals: globals.browser },
  },
);
