/**
 * The floor plan of packages/cdk-ecs-kit/lib (ARCHITECTURE.md principle 7): every file stands in
 * a folder of a known floor, imports only from its own folder or a lower floor (never from a
 * sibling on its own floor, never from index.ts), and is at most MAX_LINES long.
 *
 * The checkers are pure functions over a folder, so each is first shown to flag a small
 * hand-made bad tree (`-t checker` runs only those) before it is run over the library.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';

const ROOT = path.join(__dirname, '..');
const LIB = path.join(ROOT, 'packages', 'cdk-ecs-kit', 'lib');

/** The floors, ground first. Folders on one floor (ingress and workload; services and batch) do not import each other. */
const FLOORS: { readonly [folder: string]: number } = {
  core: 1,
  platform: 2,
  ingress: 3,
  workload: 3,
  services: 4,
  batch: 4,
};

/** lib/index.ts only re-exports; it stands above every floor and nothing in lib imports it. */
const INDEX = 'index.ts';

/** The longest a lib file may be, in lines. */
const MAX_LINES = 450;

/**
 * Files allowed over MAX_LINES today. Phase B of the floor plan (issue 21) splits each by job
 * (props and resolve, ingress attachment, metrics) and removes it from this list; the test fails
 * when a file here is no longer over the limit, so the list only shrinks.
 */
const OVER_MAX_LINES_TODAY: readonly string[] = [
  'services/fargate-web-service.ts', // constructor does checks, task and service, ingress attachment, scaling, alarms
  'services/ec2-daemon-service.ts', // checks, host volumes and ports, Service Connect and Cloud Map wiring
  'platform/ecs-platform.ts', // platform, its EC2 capacity and the lookup/attribute imports' entry points
  'ingress/web-ingress.ts', // load balancer, listeners, access logs, WAF and the imported ingress' entry points
  'batch/batch-task-schedule.ts', // state machine, retries, timeout catchers, schedule and alarms
];

/** Every .ts file under `root`, as a path relative to it with '/' separators, sorted. */
function sourceFiles(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) found.push(path.relative(root, full).split(path.sep).join('/'));
    }
  };
  walk(root);
  return found.sort();
}

/** The module specifiers a file imports or re-exports (static imports, `export ... from`, `import x = require()`, `require()`, `import()`). */
function moduleSpecifiers(fileName: string, text: string): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const specifiers: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      specifiers.push(node.moduleSpecifier.text);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) {
      specifiers.push(node.moduleReference.expression.text);
    } else if (ts.isCallExpression(node) && node.arguments.length === 1 && ts.isStringLiteral(node.arguments[0])
      && (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === 'require'))) {
      specifiers.push(node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return specifiers;
}

/** The folder a lib-relative file stands in ('' for a file directly in lib). */
function folderOf(file: string): string {
  const slash = file.indexOf('/');
  return slash < 0 ? '' : file.slice(0, slash);
}

function describeFolder(folder: string): string {
  return folder in FLOORS ? `${folder}/ (floor ${FLOORS[folder]})` : `${folder}/`;
}

/**
 * Every import in `root` that breaks the floor plan, one readable line each: a file outside the
 * known folders, an import from a lower floor to a higher one, an import between folders of one
 * floor, an import of index.ts, or a relative import that leaves lib or resolves to no file.
 */
function floorPlanOffenders(root: string): string[] {
  const offenders: string[] = [];
  for (const file of sourceFiles(root)) {
    const from = folderOf(file);
    if (file === INDEX) continue;
    if (!(from in FLOORS)) {
      offenders.push(`${file} stands in ${from ? `the unknown folder ${from}/` : 'lib/ itself'}: put it in one of ${Object.keys(FLOORS).map((f) => `${f}/`).join(', ')}.`);
      continue;
    }
    for (const specifier of moduleSpecifiers(file, fs.readFileSync(path.join(root, file), 'utf-8'))) {
      if (!specifier.startsWith('.')) continue;
      const base = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
      const target = [`${base}.ts`, `${base}/index.ts`].find((candidate) => fs.existsSync(path.join(root, candidate)));
      if (base.startsWith('..')) {
        offenders.push(`${file} imports '${specifier}', outside lib/: the construct package imports only itself, aws-cdk-lib and constructs.`);
      } else if (!target) {
        offenders.push(`${file} imports '${specifier}', which is no file of lib/.`);
      } else if (target === INDEX) {
        offenders.push(`${file} imports '${specifier}' (lib/index.ts): import the file that defines the name instead.`);
      } else {
        const to = folderOf(target);
        // A file in an unknown folder is flagged as such; importing it is not flagged again.
        if (to === from || !(to in FLOORS)) continue;
        if (FLOORS[to] > FLOORS[from]) {
          offenders.push(`${file} imports '${specifier}' (${target}): ${describeFolder(from)} imports up from ${describeFolder(to)}; move what it needs down, or the importer up.`);
        } else if (FLOORS[to] === FLOORS[from]) {
          offenders.push(`${file} imports '${specifier}' (${target}): ${describeFolder(from)} and ${describeFolder(to)} stand on one floor and do not import each other; move what both need down.`);
        }
      }
    }
  }
  return offenders;
}

/** Files of `root` over `maxLines` lines that `allowed` does not list, and files `allowed` lists that are not (any more) over it. */
function lengthOffenders(root: string, maxLines: number, allowed: readonly string[]): string[] {
  const offenders: string[] = [];
  const files = sourceFiles(root);
  for (const file of files) {
    const lines = fs.readFileSync(path.join(root, file), 'utf-8').split('\n').length - 1;
    const isAllowed = allowed.includes(file);
    if (lines > maxLines && !isAllowed) offenders.push(`${file} has ${lines} lines, over ${maxLines}: split it by job.`);
    if (lines <= maxLines && isAllowed) offenders.push(`${file} has ${lines} lines, no longer over ${maxLines}: remove it from the list of exceptions.`);
  }
  for (const file of allowed.filter((f) => !files.includes(f))) offenders.push(`${file} is listed as an exception but is no file of lib/: remove it from the list.`);
  return offenders;
}

/** Writes `files` (lib-relative path -> content) into a new temporary folder and returns it. */
function treeOf(files: { [file: string]: string }): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-ecs-kit-floors-'));
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  }
  return root;
}

describe('floor plan checker', () => {
  test('passes imports from the own folder and from lower floors', () => {
    const root = treeOf({
      'index.ts': "export * from './services/web';\n",
      'core/validation.ts': "import { Token } from 'aws-cdk-lib';\nexport const a = Token;\n",
      'platform/platform.ts': "import { a } from '../core/validation';\nexport const b = a;\n",
      'workload/core.ts': "import type { b } from '../platform/platform';\nexport * from './size';\n",
      'workload/size.ts': 'export const c = 1;\n',
      'ingress/ingress.ts': "export { b } from '../platform/platform';\n",
      'services/web.ts': "import '../ingress/ingress';\nimport { c } from '../workload/size';\nexport const d = c;\n",
    });
    expect(floorPlanOffenders(root)).toEqual([]);
  });

  test('flags an import from a lower floor to a higher one, in any import form', () => {
    const root = treeOf({
      'core/validation.ts': "import type { Web } from '../services/web';\nexport const x = require('../platform/platform');\n",
      'platform/platform.ts': [
        'import {',
        '  Web,',
        "} from '../services/web';",
        "export { Size } from '../workload/size';",
        "export const lazy = () => import('../ingress/ingress');",
        '',
      ].join('\n'),
      'workload/size.ts': 'export const Size = 1;\n',
      'ingress/ingress.ts': 'export const i = 1;\n',
      'services/web.ts': 'export const Web = 1;\n',
    });
    expect(floorPlanOffenders(root)).toEqual([
      "core/validation.ts imports '../services/web' (services/web.ts): core/ (floor 1) imports up from services/ (floor 4); move what it needs down, or the importer up.",
      "core/validation.ts imports '../platform/platform' (platform/platform.ts): core/ (floor 1) imports up from platform/ (floor 2); move what it needs down, or the importer up.",
      "platform/platform.ts imports '../services/web' (services/web.ts): platform/ (floor 2) imports up from services/ (floor 4); move what it needs down, or the importer up.",
      "platform/platform.ts imports '../workload/size' (workload/size.ts): platform/ (floor 2) imports up from workload/ (floor 3); move what it needs down, or the importer up.",
      "platform/platform.ts imports '../ingress/ingress' (ingress/ingress.ts): platform/ (floor 2) imports up from ingress/ (floor 3); move what it needs down, or the importer up.",
    ]);
  });

  test('flags imports between the folders of one floor', () => {
    const root = treeOf({
      'ingress/ingress.ts': "import { Size } from '../workload/size';\nexport const i = Size;\n",
      'workload/size.ts': "import type { i } from '../ingress/ingress';\nexport const Size = 1;\n",
      'batch/job.ts': "import { Web } from '../services/web';\nexport const j = Web;\n",
      'services/web.ts': 'export const Web = 1;\n',
    });
    expect(floorPlanOffenders(root)).toEqual([
      "batch/job.ts imports '../services/web' (services/web.ts): batch/ (floor 4) and services/ (floor 4) stand on one floor and do not import each other; move what both need down.",
      "ingress/ingress.ts imports '../workload/size' (workload/size.ts): ingress/ (floor 3) and workload/ (floor 3) stand on one floor and do not import each other; move what both need down.",
      "workload/size.ts imports '../ingress/ingress' (ingress/ingress.ts): workload/ (floor 3) and ingress/ (floor 3) stand on one floor and do not import each other; move what both need down.",
    ]);
  });

  test('flags a file in an unknown folder or in lib itself, an import of index.ts, outside lib or of no file', () => {
    const root = treeOf({
      'index.ts': "export * from './core/validation';\n",
      'helpers.ts': 'export const h = 1;\n',
      'internal/old.ts': 'export const o = 1;\n',
      'core/validation.ts': "export * from '../index';\nimport '../../../verify/src/cli';\nimport './missing';\n",
    });
    expect(floorPlanOffenders(root)).toEqual([
      "core/validation.ts imports '../index' (lib/index.ts): import the file that defines the name instead.",
      "core/validation.ts imports '../../../verify/src/cli', outside lib/: the construct package imports only itself, aws-cdk-lib and constructs.",
      "core/validation.ts imports './missing', which is no file of lib/.",
      'helpers.ts stands in lib/ itself: put it in one of core/, platform/, ingress/, workload/, services/, batch/.',
      'internal/old.ts stands in the unknown folder internal/: put it in one of core/, platform/, ingress/, workload/, services/, batch/.',
    ]);
  });

  test('flags a long file that is not an exception, and an exception that is no longer long or gone', () => {
    const root = treeOf({
      'core/long.ts': 'x\n'.repeat(5),
      'core/exception.ts': 'x\n'.repeat(5),
      'core/shrunk.ts': 'x\n'.repeat(4),
    });
    expect(lengthOffenders(root, 4, ['core/exception.ts', 'core/shrunk.ts', 'core/gone.ts'])).toEqual([
      'core/long.ts has 5 lines, over 4: split it by job.',
      'core/shrunk.ts has 4 lines, no longer over 4: remove it from the list of exceptions.',
      'core/gone.ts is listed as an exception but is no file of lib/: remove it from the list.',
    ]);
  });
});

describe('the library', () => {
  test('imports only from its own folder or a lower floor', () => {
    expect(floorPlanOffenders(LIB)).toEqual([]);
  });

  test(`has no file over ${MAX_LINES} lines but today's listed exceptions`, () => {
    expect(lengthOffenders(LIB, MAX_LINES, OVER_MAX_LINES_TODAY)).toEqual([]);
  });
});

describe('ARCHITECTURE.md', () => {
  /** The numbers of the principles ARCHITECTURE.md lists under '## Principles'. */
  function principleNumbers(): number[] {
    const text = fs.readFileSync(path.join(ROOT, 'ARCHITECTURE.md'), 'utf-8');
    const section = text.split(/^## /m).find((part) => part.startsWith('Principles')) ?? '';
    return [...section.matchAll(/^(\d+)\. \*\*/gm)].map((m) => Number(m[1]));
  }

  /** Every source file of the folders that cite principles, repository-relative. */
  function citingFiles(): string[] {
    const skip = new Set(['node_modules', '__snapshots__', 'build', 'dist', 'cdk.out']);
    const found: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
        const file = path.posix.join(dir, entry.name);
        if (entry.isDirectory()) {
          if (!skip.has(entry.name) && !entry.name.endsWith('.snapshot')) walk(file);
        } else if (/\.(ts|js|md)$/.test(entry.name)) {
          found.push(file);
        }
      }
    };
    for (const dir of ['test', 'bin', 'bench', 'packages']) walk(dir);
    return found;
  }

  test('numbers its principles 1, 2, 3, ... so tests can cite them', () => {
    const numbers = principleNumbers();
    expect(numbers.length).toBeGreaterThan(0);
    expect(numbers).toEqual(numbers.map((_n, i) => i + 1));
  });

  test('is what the code cites: every cited principle exists, and no file cites a design document the repository does not have', () => {
    const principles = new Set(principleNumbers());
    const missingDocument = new RegExp(['DESIGN', 'md'].join('\\.'));
    const offenders: string[] = [];
    for (const file of citingFiles()) {
      const lines = fs.readFileSync(path.join(ROOT, file), 'utf-8').split('\n');
      lines.forEach((line, i) => {
        if (missingDocument.test(line)) offenders.push(`${file}:${i + 1} cites a file that is not in the repository: cite ARCHITECTURE.md.`);
        for (const m of line.matchAll(/ARCHITECTURE\.md,? principle (\d+)/g)) {
          if (!principles.has(Number(m[1]))) offenders.push(`${file}:${i + 1} cites ARCHITECTURE.md principle ${m[1]}, which it does not have.`);
        }
      });
    }
    expect(offenders).toEqual([]);
  });
});
