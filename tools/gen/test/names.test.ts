import { describe, expect, it } from 'vitest';
import { GenError } from '../src/errors.js';
import { camelCase, pascalCase, validatePackageName, validateRule, validateToken } from '../src/names.js';

describe('package names', () => {
  it('accepts kebab-case and derives the token and identifiers', () => {
    for (const n of ['ghost-shuffle-conv', 'dsconv2', 'conv-3d', 'a']) expect(() => validatePackageName(n)).not.toThrow();
    expect(pascalCase('ghost-shuffle-conv')).toBe('GhostShuffleConv');
    expect(pascalCase('conv-3d')).toBe('Conv3d');
    expect(camelCase('ghost-shuffle-conv')).toBe('ghostShuffleConv');
  });

  it.each([
    ['GhostConv', /'GhostConv' is not a kebab-case package name/],
    ['ghost_conv', /not a kebab-case/],
    ['ghost--conv', /not a kebab-case/],
    ['-ghost', /not a kebab-case/],
    ['3conv', /not a kebab-case/],
    ['ghost-', /not a kebab-case/],
    ['@plugconv/x', /'@plugconv\/x' is a path/],
    ['../x', /'\.\.\/x' is a path; give the package's name only/],
    ['packages/x', /is a path/],
    ['.x', /is a path/],
    ['core', /'core' is reserved/],
    ['yolo', /'yolo' is reserved/],
    ['gen', /'gen' is reserved/],
    ['', /a package name is required/],
    ['a'.repeat(65), /longer than 64/],
  ])('refuses %j', (name, message) => {
    expect(() => validatePackageName(name)).toThrow(GenError);
    expect(() => validatePackageName(name)).toThrow(message);
  });

  it('checks --rule and --token', () => {
    expect(validateRule('repeat')).toBe('repeat');
    expect(() => validateRule('concat')).toThrow(/--rule must be one of conv, repeat, fixed, got 'concat'/);
    expect(() => validateToken('C2f_Ghost')).not.toThrow();
    expect(() => validateToken('nn.Ghost')).toThrow(/must be an identifier/);
    expect(() => validateToken('2Ghost')).toThrow(/must be an identifier/);
  });
});
