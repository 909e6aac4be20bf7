import * as fs from 'fs';
import * as path from 'path';
import { diagramFile, exampleDiagram } from '../scripts/diagrams';
import { EXAMPLE_APPS, EXAMPLES_DIR } from './support/examples';

// Each example's README shows what it builds (diagram.svg, rendered by Graphviz from diagram.dot);
// the .dot is generated from the construct tree, so a change to what an example builds changes it.

describe.each(EXAMPLE_APPS)('examples/$label', ({ name, file }) => {
  test('its committed diagram is what the app builds (npx tsx scripts/diagrams.ts regenerates it)', () => {
    const committed = fs.readFileSync(diagramFile(name, file, 'dot'), 'utf-8');
    expect(exampleDiagram(name, file)).toBe(committed);
  });

  test('its README shows the rendered diagram, and the picture is there', () => {
    const svg = diagramFile(name, file, 'svg');
    expect(fs.readFileSync(svg, 'utf-8')).toMatch(/<svg/);
    const readme = fs.readFileSync(path.join(EXAMPLES_DIR, name, 'README.md'), 'utf-8');
    expect(readme).toContain(`](${path.basename(svg)})`);
  });
});

test('a diagram names every cdk-ecs-kit construct of the app and the references between them', () => {
  const dot = exampleDiagram('microservices', 'app.ts');
  for (const construct of ['EcsPlatform', 'WebIngress', 'FargateWebService']) expect(dot).toContain(construct);
  expect(dot).toMatch(/n\d+ -> n\d+;/);
});
