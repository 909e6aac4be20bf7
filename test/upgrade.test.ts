import * as fs from 'fs';
import * as path from 'path';
import { UPGRADE_APPS, UPGRADE_FIXTURES_DIR, upgradeFixturePath } from './support/upgrade-apps';
import { formatLoss, resourceLosses, ResourceLoss, SERVING_OR_STATEFUL_TYPES, targetGroupHazards } from './support/update-safety';

// Upgrading cdk-ecs-kit must not replace what users have deployed. test/fixtures/upgrade holds the
// templates of the examples and the reference app as the last released version synthesized them
// (scripts/upgrade-fixtures.ts, run on the release commit); each is diffed with what this version
// synthesizes, with @aws-cdk/cloudformation-diff.
//
// Every replacement, removal or orphaning an upgrade causes (task definitions aside: a new revision
// is how any change reaches ECS) must be listed, with why it is safe, in
// test/fixtures/upgrade/expected-changes.json. To update the list after a deliberate change:
//
//   UPDATE_UPGRADE_EXPECTED=1 npx jest test/upgrade.test.ts
//
// rewrites it, keeping the reasons already given and writing TODO for new entries; replace each
// TODO with the reason (the test fails while one is left).

const EXPECTED_FILE = path.join(UPGRADE_FIXTURES_DIR, 'expected-changes.json');
const UPDATE = process.env.UPDATE_UPGRADE_EXPECTED === '1';
const TODO = 'TODO: why is this safe for a deployed stack?';

/** `{ app label: { "Stack/LogicalId (Type) IMPACT": reason } }` */
type ExpectedChanges = { [label: string]: { [change: string]: string } };

/** Changes that are never listed: a task definition revision is how every change reaches ECS. */
const UNLISTED_TYPES = new Set(['AWS::ECS::TaskDefinition']);

/**
 * A removed piece of custom-resource provider plumbing (the aws-cdk-lib Provider framework's
 * functions, roles, policies, waiter state machine and log group, or a handler of it): it serves
 * no traffic and keeps no user data, so removing it is listed but not a hazard.
 */
function isProviderPlumbing(loss: ResourceLoss): boolean {
  return loss.impact !== 'WILL_REPLACE' && loss.impact !== 'MAY_REPLACE'
    && ['AWS::Lambda::Function', 'AWS::IAM::Role', 'AWS::IAM::Policy', 'AWS::StepFunctions::StateMachine', 'AWS::Logs::LogGroup'].includes(loss.type)
    && /Provider|Framework|Handler|waiterstatemachine|Teardown/.test(loss.logicalId);
}

/** What upgrading one stack from `released` to `next` changes (one line each), and which of those are hazards. */
function upgradeChanges(stackName: string, released: any, next: any): { changes: string[]; hazards: string[] } {
  const losses = resourceLosses(released, next).filter((loss) => !UNLISTED_TYPES.has(loss.type));
  const groups = new Set(targetGroupHazards(released, next, losses).map((loss) => loss.logicalId));
  const line = (loss: ResourceLoss) => `${stackName}/${formatLoss(loss)}`;
  const serving = (loss: ResourceLoss) => SERVING_OR_STATEFUL_TYPES.has(loss.type) && loss.impact !== 'WILL_ORPHAN'
    && (loss.type !== 'AWS::ElasticLoadBalancingV2::TargetGroup' || groups.has(loss.logicalId))
    && !isProviderPlumbing(loss);
  return { changes: losses.map(line), hazards: losses.filter(serving).map(line) };
}

const releasedCommits = new Set<string>();
const actual: ExpectedChanges = {};
const hazards: { [label: string]: string[] } = {};

for (const [label, synth] of Object.entries(UPGRADE_APPS)) {
  const fixture = JSON.parse(fs.readFileSync(upgradeFixturePath(label), 'utf-8'));
  releasedCommits.add(fixture.commit);
  const current = synth();
  actual[label] = {};
  hazards[label] = [];
  for (const [stackName, released] of Object.entries<any>(fixture.templates)) {
    const changes = upgradeChanges(stackName, released, current[stackName] ?? { Resources: {} });
    for (const change of changes.changes) actual[label][change] = '';
    hazards[label].push(...changes.hazards);
  }
}

const previous: ExpectedChanges = fs.existsSync(EXPECTED_FILE) ? JSON.parse(fs.readFileSync(EXPECTED_FILE, 'utf-8')) : {};
if (UPDATE) {
  const rewritten: ExpectedChanges = {};
  for (const label of Object.keys(actual).sort()) {
    rewritten[label] = {};
    for (const change of Object.keys(actual[label]).sort()) rewritten[label][change] = previous[label]?.[change] ?? TODO;
  }
  fs.writeFileSync(EXPECTED_FILE, JSON.stringify(rewritten, null, 2) + '\n');
}
const expected: ExpectedChanges = UPDATE ? JSON.parse(fs.readFileSync(EXPECTED_FILE, 'utf-8')) : previous;

describe('upgrade from the last released version (test/fixtures/upgrade)', () => {
  test('the fixtures come from one released commit, for every example app and the reference app', () => {
    expect(releasedCommits.size).toBe(1);
    expect(Object.keys(actual).sort()).toEqual(Object.keys(UPGRADE_APPS).sort());
  });

  test('self-check: a released target group with another port (what the new version would replace) is a hazard, and listed', () => {
    const fixture = JSON.parse(fs.readFileSync(upgradeFixturePath('example-web-api'), 'utf-8'));
    const released = JSON.parse(JSON.stringify(fixture.templates.Example));
    const [groupId, group] = Object.entries<any>(released.Resources).find(([, resource]) => resource.Type === 'AWS::ElasticLoadBalancingV2::TargetGroup')!;
    group.Properties.Port = 80;
    const { changes, hazards: found } = upgradeChanges('Example', released, UPGRADE_APPS['example-web-api']().Example);
    expect(found).toEqual([`Example/${groupId} (AWS::ElasticLoadBalancingV2::TargetGroup) WILL_REPLACE: Port`]);
    expect(changes).toEqual(found);
  });

  test('self-check: removed provider plumbing is listed but no hazard', () => {
    const fixture = JSON.parse(fs.readFileSync(upgradeFixturePath('example-daemon-agent'), 'utf-8'));
    const next = JSON.parse(JSON.stringify(fixture.templates.Example));
    const plumbing = Object.keys(next.Resources).filter((id) => /Ec2CapacityTeardown(Provider|Framework|OnEvent|IsComplete)/.test(id));
    expect(plumbing.length).toBeGreaterThan(0);
    for (const id of plumbing) delete next.Resources[id];
    const { changes, hazards: found } = upgradeChanges('Example', fixture.templates.Example, next);
    expect(changes).toHaveLength(plumbing.length);
    expect(found).toEqual([]);
  });

  describe.each(Object.keys(UPGRADE_APPS))('%s', (label) => {
    test('keeps every logical id of a serving or stateful resource', () => {
      // Known one-time replacements would be listed in expected-changes.json; none may be serving.
      expect(hazards[label]).toEqual([]);
    });

    test('replaces or removes exactly the listed resources (test/fixtures/upgrade/expected-changes.json)', () => {
      expect(Object.keys(actual[label]).sort()).toEqual(Object.keys(expected[label] ?? {}).sort());
    });

    test('says why each listed change is safe', () => {
      const unexplained = Object.entries(expected[label] ?? {}).filter(([, reason]) => reason.length < 20 || reason.startsWith('TODO')).map(([change]) => change);
      expect(unexplained).toEqual([]);
    });
  });
});
