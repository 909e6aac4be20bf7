// Writes test/fixtures/upgrade/*.json: the templates of the examples and the reference app as the
// current code synthesizes them. Run it on the commit of a release (and only there), so the upgrade
// test (test/upgrade.test.ts) compares what users have deployed with what the next version renders:
//
//   git checkout <release commit> && npx tsx scripts/upgrade-fixtures.ts && git checkout - && git add test/fixtures/upgrade
//
// Asset hashes are normalized. Each file records the commit it was written from.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { UPGRADE_APPS, UPGRADE_FIXTURES_DIR, upgradeFixturePath } from '../test/support/upgrade-apps';

const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf-8' }).trim();
fs.mkdirSync(UPGRADE_FIXTURES_DIR, { recursive: true });
for (const [label, synth] of Object.entries(UPGRADE_APPS)) {
  const templates = synth();
  fs.writeFileSync(upgradeFixturePath(label), JSON.stringify({ commit, templates }, null, 1) + '\n');
  console.log(`${upgradeFixturePath(label)}: ${Object.keys(templates).join(', ')}`);
}
