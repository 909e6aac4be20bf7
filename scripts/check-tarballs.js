// Checks the two packed workspaces, as unpacked from their tarballs (scripts/consumer-test.sh):
//
//   node scripts/check-tarballs.js PACK_JSON UNPACKED_DIR
//
// PACK_JSON is the output of `npm pack --workspaces --json`; UNPACKED_DIR/NAME/package holds each
// tarball's contents. Everything is read from the unpacked files, not from the repository.
//
// cdk-ecs-kit (the jsii construct library): the .jsii assembly, compiled build/lib/*.js + .d.ts,
// README, LICENSE, API.md; no tests, sources or repository files; no dependencies of any kind but
// the aws-cdk-lib and constructs peers (no bundled ones either); no AWS SDK anywhere.
// cdk-ecs-kit-verify (the CLI): dist/src + the dist/bin script named by "bin" (with its #! line),
// README, LICENSE; its dependencies are exactly the three AWS SDK clients.
// Both: every require() in the shipped JavaScript is a Node.js built-in, a dependency or a peer.
'use strict';
const fs = require('fs');
const path = require('path');
const { builtinModules } = require('module');

const [packFile, unpackedDir] = process.argv.slice(2);
const packs = JSON.parse(fs.readFileSync(packFile, 'utf-8'));
/**
 * The code that runs where the package is installed: inline Lambda handler source (between the
 * cdk-ecs-kit:lambda-runtime-code markers) runs in the Lambda runtime, which provides its modules.
 */
function packageCode(text) {
  return text.replace(/cdk-ecs-kit:lambda-runtime-code[\s\S]*?cdk-ecs-kit:end-lambda-runtime-code/g, '');
}

const SDK_CLIENTS = ['@aws-sdk/client-application-auto-scaling', '@aws-sdk/client-cloudformation', '@aws-sdk/client-ecs', '@aws-sdk/client-elastic-load-balancing-v2'];

const FORBIDDEN = [
  [/^(test|examples|bench|scripts|\.ci|cdk\.out|lib|src|bin)\//, 'repository-only directory'],
  [/(^|\/)[^/]+\.test\.[jt]s$/, 'test file'],
  [/(?<!\.d)\.ts$/, 'TypeScript source'],
  [/^(tsconfig[^/]*\.json|cdk\.json|cdk\.context\.json|jest\.config\.js|package-lock\.json|\.gitignore)$/, 'repository configuration'],
  [/\.tsbuildinfo$/, 'build cache'],
];

const CHECKS = {
  'cdk-ecs-kit': (pkg, files, dir, problems) => {
    requireFiles(files, ['.jsii', 'package.json', 'README.md', 'LICENSE', 'API.md', 'build/lib/index.js', 'build/lib/index.d.ts'], problems);
    for (const field of ['dependencies', 'optionalDependencies', 'bundleDependencies', 'bundledDependencies']) {
      if (pkg[field] !== undefined && Object.keys(pkg[field]).length > 0) {
        problems.push(`has ${field} (${JSON.stringify(pkg[field])}): the construct package may only have the aws-cdk-lib and constructs peer dependencies`);
      }
    }
    const peers = Object.keys(pkg.peerDependencies ?? {}).sort();
    if (peers.join(' ') !== 'aws-cdk-lib constructs') problems.push(`peerDependencies are ${peers.join(', ') || 'none'}, expected aws-cdk-lib and constructs`);
    if (pkg.bin !== undefined) problems.push('has a "bin": the cdk-ecs-kit command belongs to cdk-ecs-kit-verify');
    for (const f of files) {
      if (/(^|\/)node_modules\//.test(f)) problems.push(`bundled file ${f}`);
      if (f.includes('@aws-sdk')) problems.push(`AWS SDK file ${f}`);
    }
    // The assembly and the compiled code must not mention the SDK (a require() hidden behind a
    // variable would still show its package name).
    for (const f of files.filter(f => f === '.jsii' || f.endsWith('.js') || f.endsWith('.d.ts'))) {
      if (packageCode(fs.readFileSync(path.join(dir, f), 'utf-8')).includes('@aws-sdk/')) problems.push(`${f} mentions @aws-sdk/`);
    }
  },
  'cdk-ecs-kit-verify': (pkg, files, dir, problems) => {
    requireFiles(files, ['package.json', 'README.md', 'LICENSE', 'dist/src/index.js', 'dist/src/index.d.ts'], problems);
    const bin = typeof pkg.bin === 'string' ? undefined : pkg.bin?.['cdk-ecs-kit'];
    if (!bin) {
      problems.push('no "bin": { "cdk-ecs-kit": ... }');
    } else if (!files.includes(bin.replace(/^\.\//, ''))) {
      problems.push(`bin ${bin} is not in the package`);
    } else if (!fs.readFileSync(path.join(dir, bin), 'utf-8').startsWith('#!/usr/bin/env node\n')) {
      problems.push(`bin ${bin} does not start with #!/usr/bin/env node`);
    }
    const deps = Object.keys(pkg.dependencies ?? {}).sort();
    if (deps.join(' ') !== SDK_CLIENTS.join(' ')) problems.push(`dependencies are ${deps.join(', ') || 'none'}, expected ${SDK_CLIENTS.join(', ')}`);
    for (const field of ['peerDependencies', 'bundleDependencies', 'bundledDependencies']) {
      if (pkg[field] !== undefined && Object.keys(pkg[field]).length > 0) problems.push(`has ${field}: ${JSON.stringify(pkg[field])}`);
    }
  },
};

function requireFiles(files, required, problems) {
  for (const f of required) if (!files.includes(f)) problems.push(`missing ${f}`);
}

function walk(dir, prefix = '') {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(e =>
    e.isDirectory() ? walk(path.join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]);
}

const kib = n => `${(n / 1024).toFixed(0)} KiB`;
let failed = false;
const seen = new Set();
for (const pack of packs) {
  const check = CHECKS[pack.name];
  if (!check) continue;
  seen.add(pack.name);
  const dir = path.join(unpackedDir, pack.name, 'package');
  const files = walk(dir);
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf-8'));
  const problems = [];
  check(pkg, files, dir, problems);

  for (const f of files) {
    for (const [re, what] of FORBIDDEN) if (re.test(f)) problems.push(`${what} in the package: ${f}`);
  }
  // Every package the shipped JavaScript requires must be installed for the user.
  const allowed = new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {}), ...builtinModules]);
  for (const f of files.filter(f => f.endsWith('.js'))) {
    for (const m of packageCode(fs.readFileSync(path.join(dir, f), 'utf-8')).matchAll(/require\(\s*["']([^"']+)["']\s*\)/g)) {
      const spec = m[1];
      if (spec.startsWith('.') || spec.startsWith('node:')) continue;
      const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
      if (!allowed.has(name)) problems.push(`${f} requires '${spec}', which is not a dependency or peer dependency`);
    }
  }

  const deps = Object.entries({ ...pkg.dependencies }).map(([n, v]) => `${n}@${v}`).join(', ') || 'none';
  const peers = Object.entries({ ...pkg.peerDependencies }).map(([n, v]) => `${n}@${v}`).join(', ') || 'none';
  console.log(`${pack.filename}: ${kib(pack.size)} packed, ${kib(pack.unpackedSize)} unpacked, ${files.length} files; dependencies: ${deps}; peers: ${peers}`);
  if (problems.length > 0) {
    failed = true;
    for (const p of problems) console.error(`  FAIL ${pack.name}: ${p}`);
  }
}
for (const name of Object.keys(CHECKS)) {
  if (!seen.has(name)) {
    failed = true;
    console.error(`  FAIL: npm pack --workspaces produced no ${name} tarball`);
  }
}
if (failed) process.exit(1);
console.log('contents OK: cdk-ecs-kit has only its peers and no AWS SDK; cdk-ecs-kit-verify has its bin and the four SDK clients; every require() is installed for the user');
