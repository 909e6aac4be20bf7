/**
 * Compiles every TypeScript snippet of the READMEs with jsii-rosetta in strict mode, as aws-cdk
 * does for its own docs: each markdown file becomes the readme of a copy of the built cdk-ecs-kit
 * assembly (packages/cdk-ecs-kit/.jsii, from `npm run build`), compiled against the installed
 * packages with the fixtures in rosetta/ (`declare const` for what a snippet assumes). A snippet
 * that does not compile fails. Usage: tsx scripts/check-snippets.ts [file.md ...]
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');
const ASSEMBLY = path.join(ROOT, 'packages', 'cdk-ecs-kit', '.jsii');

/** Every markdown file whose snippets users copy: the READMEs of the repository, packages and examples. */
export function documentedMarkdown(): string[] {
  const examples = fs.readdirSync(path.join(ROOT, 'examples'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(ROOT, 'examples', entry.name, 'README.md')))
    .map((entry) => path.join('examples', entry.name, 'README.md'));
  return ['README.md', 'examples/README.md', 'packages/cdk-ecs-kit/README.md', 'packages/verify/README.md', ...examples.sort()]
    .filter((file) => fs.existsSync(path.join(ROOT, file)));
}

function main(): void {
  if (!fs.existsSync(ASSEMBLY)) {
    console.error(`${path.relative(ROOT, ASSEMBLY)} is missing: run npm run build first.`);
    process.exit(2);
  }
  const files = process.argv.length > 2 ? process.argv.slice(2) : documentedMarkdown();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-ecs-kit-snippets-'));
  const assembly = JSON.parse(fs.readFileSync(ASSEMBLY, 'utf-8'));
  const assemblies: string[] = [];
  files.forEach((file, i) => {
    const dir = path.join(work, String(i));
    fs.mkdirSync(dir);
    fs.cpSync(path.join(ROOT, 'rosetta'), path.join(dir, 'rosetta'), { recursive: true });
    // Only the readme: the API docs' own examples are the package assembly's business.
    // Named after the file, so rosetta's snippet ids (NAME-README-L<line>) say where a snippet is.
    const copy = { ...assembly, name: `snippets-${i}`, readme: { markdown: fs.readFileSync(path.join(ROOT, file), 'utf-8') } };
    fs.writeFileSync(path.join(dir, '.jsii'), JSON.stringify(copy));
    assemblies.push(path.join(dir, '.jsii'));
    console.log(`${file}: ${(copy.readme.markdown.match(/^ *```(ts|typescript)\b/gm) ?? []).length} TypeScript snippets`);
  });
  const rosetta = spawnSync(process.execPath, [
    path.join(ROOT, 'node_modules', 'jsii-rosetta', 'bin', 'jsii-rosetta'), 'extract', '--strict', '--directory', ROOT,
    '--cache-to', path.join(work, 'tablet.json'), ...assemblies,
  ], { encoding: 'utf-8', env: { ...process.env, JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION: '1', JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: '1' } });
  // Diagnostics name the temporary copy; name the markdown file instead.
  const output = `${rosetta.stdout}${rosetta.stderr}`.replace(/snippets-(\d+)-README-L(\d+)(\.ts)?/g, (_match, i, line) => `${files[Number(i)]} line ${line}`);
  process.stdout.write(output.split('\n').filter((line) => !line.startsWith('!!')).join('\n'));
  fs.rmSync(work, { recursive: true, force: true });
  if (rosetta.status !== 0) {
    console.error(`\nA README snippet does not compile (jsii-rosetta extract --strict exited ${rosetta.status}).`);
    process.exit(1);
  }
  console.log(`All TypeScript snippets of ${files.length} markdown files compile.`);
}

if (require.main === module) main();
