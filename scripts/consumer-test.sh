#!/usr/bin/env bash
# Consumer test: proves the published package works without this repository's dev dependencies.
#
#   1. npm run build (jsii), unless SKIP_BUILD=1 (CI builds once, before this script);
#   2. npm pack into a temporary directory, and check the tarball: the .jsii assembly, compiled
#      build/lib/*.js + .d.ts, no tests, sources or repository files, and no require() of a package
#      that is not a dependency, bundled dependency or peer dependency;
#   3. a fresh project with only aws-cdk-lib, constructs and cdk-nag (the versions this
#      repository is tested with) and the tarball installed from the npm registry;
#   4. type-checks scripts/consumer-app/types.ts there with this repository's TypeScript;
#   5. runs scripts/consumer-app/app.js there: every public construct, synthesized with the four
#      cdk-nag packs and the CloudFormation validator; any unacknowledged finding fails;
#   6. runs `npx cdk-ecs-kit verify --help` from the installed package (skipped while
#      package.json has no "bin").
#
# KEEP_CONSUMER_DIR=1 keeps the temporary directory for inspection.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

work="$(mktemp -d "${TMPDIR:-/tmp}/cdk-ecs-kit-consumer.XXXXXX")"
cleanup() {
  if [ "${KEEP_CONSUMER_DIR:-}" = 1 ]; then echo "consumer-test: kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

started=$SECONDS
step() { echo; echo "== consumer-test: $* ($((SECONDS - started)) s)"; }
fail() { echo "consumer-test: FAIL: $*" >&2; exit 1; }

if [ "${SKIP_BUILD:-}" != 1 ]; then
  step "build"
  npm run build
fi
[ -f .jsii ] || fail "no .jsii assembly: run npm run build first"

step "pack"
npm pack --pack-destination "$work" --json --silent > "$work/pack.json"
tarball="$work/$(node -p "require('$work/pack.json')[0].filename")"
[ -f "$tarball" ] || fail "npm pack wrote no tarball"

step "check tarball contents"
node - "$work/pack.json" "$root/package.json" <<'NODE'
const [packFile, pkgFile] = process.argv.slice(2);
const pack = require(packFile)[0];
const pkg = require(pkgFile);
const { builtinModules } = require('module');
const fs = require('fs');
const files = pack.files.map((f) => f.path);
const own = files.filter((f) => !f.startsWith('node_modules/'));
const problems = [];

for (const required of ['.jsii', 'package.json', 'README.md', 'LICENSE', 'build/lib/index.js', 'build/lib/index.d.ts', 'API.md']) {
  if (!files.includes(required)) problems.push(`missing ${required}`);
}
for (const bin of Object.values(typeof pkg.bin === 'string' ? { [pkg.name]: pkg.bin } : pkg.bin ?? {})) {
  if (!files.includes(bin.replace(/^\.\//, ''))) problems.push(`missing bin ${bin}`);
}
const forbidden = [
  [/^(test|examples|bench|scripts|\.ci|cdk\.out)\//, 'repository-only directory'],
  [/(^|\/)[^/]+\.test\.[jt]s$/, 'test file'],
  [/\.ts$/, 'TypeScript source'],
  [/^bin\/(app|compliance)\./, 'reference app'],
  [/^(tsconfig[^/]*\.json|cdk\.json|cdk\.context\.json|jest\.config\.js|package-lock\.json|\.gitignore)$/, 'repository configuration'],
  [/\.tsbuildinfo$/, 'build cache'],
];
for (const f of own) {
  for (const [re, what] of forbidden) {
    if (re.test(f) && !f.endsWith('.d.ts')) problems.push(`${what} in the package: ${f}`);
  }
}

// Every package the shipped JavaScript requires must be installed for the user.
const allowed = new Set([
  ...Object.keys(pkg.dependencies ?? {}),
  ...Object.keys(pkg.peerDependencies ?? {}),
  ...builtinModules,
]);
const bundled = new Set(pkg.bundledDependencies ?? pkg.bundleDependencies ?? []);
for (const dep of Object.keys(pkg.dependencies ?? {})) {
  if (!bundled.has(dep)) problems.push(`dependency ${dep} is not in bundledDependencies: jsii requires non-jsii dependencies to be bundled`);
}
const { dirname } = require('path');
const packageDir = dirname(pkgFile);
for (const f of own.filter((f) => f.endsWith('.js'))) {
  const source = fs.readFileSync(`${packageDir}/${f}`, 'utf-8');
  for (const m of source.matchAll(/require\(\s*["']([^"']+)["']\s*\)/g)) {
    const spec = m[1];
    if (spec.startsWith('.') || spec.startsWith('node:')) continue;
    const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
    if (!allowed.has(name)) problems.push(`${f} requires '${spec}', which is not a dependency or peer dependency`);
  }
}

const kib = (n) => `${(n / 1024).toFixed(0)} KiB`;
console.log(`${pack.filename}: ${kib(pack.size)} packed, ${kib(pack.unpackedSize)} unpacked, ${pack.entryCount} files ` +
  `(${own.length} own, ${files.length - own.length} in ${pack.bundled.length} bundled packages: ${pack.bundled.join(', ')})`);
if (problems.length > 0) {
  for (const p of problems) console.error(`  ${p}`);
  process.exit(1);
}
console.log('contents OK: .jsii, build/lib/*.js + .d.ts, no tests or sources, every require() is installed for the user');
NODE

step "install the tarball into a fresh CDK app"
app="$work/app"
mkdir -p "$app"
cp scripts/consumer-app/app.js scripts/consumer-app/types.ts "$app/"
cdk_version="$(node -p "require('aws-cdk-lib/package.json').version")"
constructs_version="$(node -p "require('constructs/package.json').version")"
nag_version="$(node -p "require('cdk-nag/package.json').version")"
node -e '
  const fs = require("fs");
  const [dir, cdkJson] = process.argv.slice(1);
  fs.writeFileSync(`${dir}/package.json`, JSON.stringify({ name: "cdk-ecs-kit-consumer", version: "0.0.0", private: true, license: "UNLICENSED" }, null, 2));
  // The feature flags a new app of this aws-cdk-lib version gets from `cdk init`, plus the validator flag.
  const context = { ...require(cdkJson).context, "@aws-cdk/core:validateAgainstDefaultRules": true };
  fs.writeFileSync(`${dir}/cdk.json`, JSON.stringify({ app: "node app.js", context }, null, 2));
' "$app" "$root/cdk.json"
(cd "$app" && npm install --prefer-offline --no-audit --no-fund --loglevel=error \
  "aws-cdk-lib@$cdk_version" "constructs@$constructs_version" "cdk-nag@$nag_version" "@cdklabs/cdk-validator-cfnguard@$(node -p "require('$root/node_modules/@cdklabs/cdk-validator-cfnguard/package.json').version")" "$tarball")
echo "installed: aws-cdk-lib@$cdk_version constructs@$constructs_version cdk-nag@$nag_version $(basename "$tarball")"

step "type-check the public API from the installed package"
(cd "$app" && "$root/node_modules/.bin/tsc" --ignoreConfig --noEmit --strict --skipLibCheck --target es2022 --lib es2022 \
  --module nodenext --moduleResolution nodenext types.ts)
echo "types.ts compiles against the packed .d.ts"

step "synthesize every public construct with the four cdk-nag packs and the CloudFormation validator"
(cd "$app" && node app.js)

step "CLI from the installed package"
if node -e 'const b = require(process.argv[1]).bin; process.exit(b && (typeof b === "string" || b["cdk-ecs-kit"]) ? 0 : 1)' "$root/package.json"; then
  help="$(cd "$app" && npx --no-install cdk-ecs-kit verify --help)" || fail "npx cdk-ecs-kit verify --help exited non-zero"
  grep -q 'Usage: cdk-ecs-kit verify' <<<"$help" || fail "npx cdk-ecs-kit verify --help printed no usage: $help"
  echo "npx cdk-ecs-kit verify --help: OK"
else
  echo "SKIP: package.json has no \"bin\" for cdk-ecs-kit yet"
fi

step "passed"
