import { describeWorld, guardFindings, knownSynthError, MATRIX_WORLDS, SynthesizedWorld, synthesizeWorld, validatorFindingsOnFiles } from './matrix';

/**
 * Declares the matrix tests for shard `shard` of `shards` (one test file per shard, so jest's two
 * workers share the matrix): one test per world, then one cfn-guard run over the shard's worlds,
 * then the validator run directly on the files of each app's first world in the shard.
 */
export function declareMatrixShard(shard: number, shards: number): void {
  const worlds = MATRIX_WORLDS.filter((_, i) => i % shards === shard);
  const synthesized: SynthesizedWorld[] = [];

  describe.each(worlds.map((world) => [describeWorld(world), world] as const))('%s', (_name, world) => {
    test('synthesizes with no unacknowledged finding of any severity (4 nag packs, CloudFormation validator)', () => {
      const result = synthesizeWorld(world);
      synthesized.push(result);
      // A world on the KNOWN_GAPS list fails exactly as listed, so it shows when a fix lands.
      if (knownSynthError(world, result.error)) return;
      expect(result.error).toBeUndefined();
      expect(result.findings).toEqual([]);
    });
  });

  test("Control Tower's proactive controls (cfn-guard, run once over all these worlds' templates) find nothing unacknowledged", () => {
    expect(synthesized).toHaveLength(worlds.length);
    const found = guardFindings(synthesized.filter((s) => !s.error));
    const failures = [...found.entries()].flatMap(([world, lines]) => lines.map((line) => `${describeWorld(world)}: ${line}`));
    expect(failures).toEqual([]);
  });

  test('the CloudFormation validator run directly on the written templates (nested ones included) finds nothing, for each app', () => {
    const firstOfEachApp = [...new Map(synthesized.filter((s) => !s.error).reverse().map((s) => [s.world.app, s] as const)).values()];
    const failures = firstOfEachApp.flatMap((s) => validatorFindingsOnFiles(s).map((line) => `${describeWorld(s.world)}: ${line}`));
    expect(failures).toEqual([]);
  });
}
