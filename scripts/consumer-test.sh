#!/usr/bin/env bash
# Consumer test: proves both published packages work without this repository's dev dependencies.
#
#   1. npm run build (both workspaces), unless SKIP_BUILD=1 (CI builds once, before this script);
#   2. npm pack --workspaces into a temporary directory, unpack both tarballs and check them
#      (scripts/check-tarballs.js): cdk-ecs-kit has the .jsii assembly, compiled build/lib/*.js +
#      .d.ts, no tests or sources, no dependencies but its aws-cdk-lib and constructs peers and no
#      AWS SDK; cdk-ecs-kit-verify has dist/ with the bin and depends on the three SDK clients;
#   3. a fresh project with aws-cdk-lib, constructs and cdk-nag (the versions this repository is
#      tested with) and both tarballs installed from the npm registry;
#   4. type-checks scripts/consumer-app/types.ts there with this repository's TypeScript;
#   5. runs scripts/consumer-app/app.js there: every public construct, synthesized with the four
#      cdk-nag packs and the CloudFormation validator; any unacknowledged finding fails;
#      then scripts/consumer-app/verify.js: StackVerifier from cdk-ecs-kit-verify, without AWS;
#   6. measures the installed node_modules/cdk-ecs-kit: fails at 2 MiB or more, or when it holds
#      an @aws-sdk directory or node_modules of its own;
#   7. runs `npx --no-install cdk-ecs-kit verify --help` from the installed cdk-ecs-kit-verify.
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
for built in packages/cdk-ecs-kit/.jsii packages/cdk-ecs-kit/build/lib/index.js packages/verify/dist/bin/cdk-ecs-kit.js; do
  [ -f "$built" ] || fail "no $built: run npm run build first"
done

step "pack both workspaces"
# --ignore-scripts: prepack would rebuild (built above, or by CI) and print into the JSON.
npm pack --workspaces --ignore-scripts --pack-destination "$work" --json --silent > "$work/pack.json"
tarballs=()
while IFS=$'\t' read -r name file; do
  [ -f "$work/$file" ] || fail "npm pack wrote no $file"
  mkdir -p "$work/unpacked/$name"
  tar -xzf "$work/$file" -C "$work/unpacked/$name"
  tarballs+=("$work/$file")
  echo "$name: $file ($(wc -c < "$work/$file") bytes)"
done < <(node -e 'for (const p of require(process.argv[1])) console.log(`${p.name}\t${p.filename}`)' "$work/pack.json")
[ "${#tarballs[@]}" -eq 2 ] || fail "expected 2 tarballs from npm pack --workspaces, got ${#tarballs[@]}"

step "check tarball contents"
node scripts/check-tarballs.js "$work/pack.json" "$work/unpacked"

step "install both tarballs into a fresh CDK app"
app="$work/app"
mkdir -p "$app"
cp scripts/consumer-app/app.js scripts/consumer-app/verify.js scripts/consumer-app/types.ts "$app/"
cdk_version="$(node -p "require('aws-cdk-lib/package.json').version")"
constructs_version="$(node -p "require('constructs/package.json').version")"
nag_version="$(node -p "require('cdk-nag/package.json').version")"
guard_version="$(node -p "require('@cdklabs/cdk-validator-cfnguard/package.json').version")"
node -e '
  const fs = require("fs");
  const [dir, cdkJson] = process.argv.slice(1);
  fs.writeFileSync(`${dir}/package.json`, JSON.stringify({ name: "cdk-ecs-kit-consumer", version: "0.0.0", private: true, license: "UNLICENSED" }, null, 2));
  // The feature flags a new app of this aws-cdk-lib version gets from `cdk init`, plus the validator flag.
  const context = { ...require(cdkJson).context, "@aws-cdk/core:validateAgainstDefaultRules": true };
  fs.writeFileSync(`${dir}/cdk.json`, JSON.stringify({ app: "node app.js", context }, null, 2));
' "$app" "$root/cdk.json"
(cd "$app" && npm install --prefer-offline --no-audit --no-fund --loglevel=error \
  "aws-cdk-lib@$cdk_version" "constructs@$constructs_version" "cdk-nag@$nag_version" "@cdklabs/cdk-validator-cfnguard@$guard_version" "${tarballs[@]}")
echo "installed: aws-cdk-lib@$cdk_version constructs@$constructs_version cdk-nag@$nag_version @cdklabs/cdk-validator-cfnguard@$guard_version $(for t in "${tarballs[@]}"; do printf '%s ' "$(basename "$t")"; done)"

step "type-check the public API of both packages from the installed .d.ts"
(cd "$app" && "$root/node_modules/.bin/tsc" --ignoreConfig --noEmit --strict --skipLibCheck --target es2022 --lib es2022 \
  --module nodenext --moduleResolution nodenext types.ts)
echo "types.ts compiles against the packed .d.ts"

step "synthesize every public construct with the four cdk-nag packs and the CloudFormation validator"
(cd "$app" && node app.js)

step "StackVerifier from the installed cdk-ecs-kit-verify"
(cd "$app" && node verify.js)

step "installed size of cdk-ecs-kit"
installed="$app/node_modules/cdk-ecs-kit"
[ -d "$installed" ] || fail "node_modules/cdk-ecs-kit is not installed"
limit=$((2 * 1024 * 1024))
bytes="$(du -sb "$installed" | cut -f1)"
disk_kib="$(du -sk "$installed" | cut -f1)"
echo "node_modules/cdk-ecs-kit: $bytes bytes ($((bytes / 1024)) KiB; $disk_kib KiB on disk), limit $limit bytes (2 MiB)"
[ "$bytes" -lt "$limit" ] || fail "node_modules/cdk-ecs-kit is $bytes bytes, not under $limit (2 MiB)"
sdk="$(find "$installed" -name '@aws-sdk' -print -quit)"
[ -z "$sdk" ] || fail "node_modules/cdk-ecs-kit contains an AWS SDK directory: ${sdk#"$app/"}"
[ ! -e "$installed/node_modules" ] || fail "node_modules/cdk-ecs-kit has node_modules of its own: $(ls "$installed/node_modules" | tr '\n' ' ')"
echo "node_modules/cdk-ecs-kit: under 2 MiB, no @aws-sdk, no node_modules of its own"
# For comparison: what the CLI package installs, its SDK clients and their dependencies included.
closure="$(node -e '
  const fs = require("fs"), path = require("path");
  const seen = new Set();
  const locate = (name, from) => {
    for (let dir = from; ; dir = path.dirname(dir)) {
      const candidate = path.join(dir, "node_modules", name);
      if (fs.existsSync(path.join(candidate, "package.json"))) return candidate;
      if (dir === path.dirname(dir)) return undefined;
    }
  };
  const visit = (dir) => {
    if (seen.has(dir)) return;
    seen.add(dir);
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf-8"));
    for (const dep of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) {
      const found = locate(dep, dir);
      if (found) visit(found);
    }
  };
  visit(path.resolve(process.argv[1]));
  console.log([...seen].join("\n"));
' "$app/node_modules/cdk-ecs-kit-verify")"
echo "cdk-ecs-kit-verify with its dependencies: $(xargs du -scb <<<"$closure" | tail -n1 | cut -f1) bytes in $(wc -l <<<"$closure") packages"

step "CLI from the installed cdk-ecs-kit-verify"
help="$(cd "$app" && npx --no-install cdk-ecs-kit verify --help)" || fail "npx cdk-ecs-kit verify --help exited non-zero"
grep -q 'Usage: cdk-ecs-kit verify' <<<"$help" || fail "npx cdk-ecs-kit verify --help printed no usage: $help"
echo "npx cdk-ecs-kit verify --help: OK"

step "passed"
