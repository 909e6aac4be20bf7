import { EXAMPLE_APPS } from './support/examples';
import { MATRIX_WORLDS } from './support/matrix';
import { declareMatrixShard } from './support/matrix-tests';
import { FLAG_CONTEXTS } from './support/synth';
import { DIMENSIONS, FLAG_STATES, generateWorlds, isPossible, pairsOf, possiblePairs, shapesOf, World, WORLD_APPS } from './support/worlds';

// ARCHITECTURE.md principle 1: the output passes in ANY consumer app. The worlds are generated
// (test/support/worlds.ts): all pairs of app, feature flags, environment, stack shape and
// app-wide aspects. This file runs the first half of them, contexts-2.test.ts the second half
// (one file per jest worker).

declareMatrixShard(0, 2);

describe('the world generator', () => {
  test('the matrix covers every possible pair of (app, flags, environment, shape, aspects), each world once', () => {
    const covered = new Set(MATRIX_WORLDS.flatMap((w) => pairsOf(w, DIMENSIONS)));
    expect([...possiblePairs(DIMENSIONS, isPossible)].filter((pair) => !covered.has(pair))).toEqual([]);
    expect(new Set(MATRIX_WORLDS.map((w) => JSON.stringify(w))).size).toBe(MATRIX_WORLDS.length);
    expect(MATRIX_WORLDS.every(isPossible)).toBe(true);
  });

  test('every app takes every environment, flag state, aspect and shape it supports; every example and the reference app are in it', () => {
    for (const app of WORLD_APPS) {
      const mine = MATRIX_WORLDS.filter((w) => w.app === app.name);
      expect(new Set(mine.map((w) => w.env))).toEqual(new Set(DIMENSIONS.env));
      expect(new Set(mine.map((w) => w.flags))).toEqual(new Set(DIMENSIONS.flags));
      expect(new Set(mine.map((w) => w.aspects))).toEqual(new Set(DIMENSIONS.aspects));
      expect(new Set(mine.map((w) => w.shape))).toEqual(new Set(shapesOf(app)));
    }
    expect(WORLD_APPS.map((a) => a.name)).toEqual(expect.arrayContaining([...EXAMPLE_APPS.map((e) => `examples/${e.label}`), 'the reference app (bin/app.ts)']));
  });

  test('the matrix is small: far fewer worlds than the cross product', () => {
    const product = WORLD_APPS.reduce((sum, app) => sum + shapesOf(app).length, 0) * DIMENSIONS.env.length * DIMENSIONS.flags.length * DIMENSIONS.aspects.length;
    expect(MATRIX_WORLDS.length).toBeLessThan(product / 4);
  });

  test('the generator covers all pairs of a toy matrix with a constraint, deterministically', () => {
    const dims = { app: ['a', 'b', 'c'], flags: ['f1', 'f2'], env: ['e1', 'e2', 'e3'], shape: ['s1', 's2', 's3'], aspects: ['x', 'y'] };
    // App 'a' cannot take shape 's3'.
    const possible = (w: Partial<World>) => !(w.app === 'a' && w.shape === 's3');
    const worlds = generateWorlds(dims, possible);
    const covered = new Set(worlds.flatMap((w) => pairsOf(w, dims)));
    const wanted = possiblePairs(dims, possible);
    expect(wanted.has('app=a|shape=s3')).toBe(false);
    expect([...wanted].filter((pair) => !covered.has(pair))).toEqual([]);
    expect(worlds.every(possible)).toBe(true);
    expect(generateWorlds(dims, possible)).toEqual(worlds);
    expect(worlds.length).toBeLessThan(3 * 2 * 3 * 3 * 2);
  });

  test("the flag states: none (only the validator flag) and cdk init's, read from the installed aws-cdk-lib; identical ones are one", () => {
    expect(Object.keys(FLAG_CONTEXTS['no feature flags'])).toEqual(['@aws-cdk/core:validateAgainstDefaultRules']);
    expect(FLAG_CONTEXTS['cdk init']['@aws-cdk/aws-ec2:restrictDefaultSecurityGroup']).toBe(true);
    expect(Object.keys(FLAG_STATES).join(' = ').split(' = ').sort()).toEqual(Object.keys(FLAG_CONTEXTS).sort());
  });
});
