#!/usr/bin/env node
// The CLI is TypeScript; tsx compiles it on the fly (and caches the result), so the workspace
// runs it without a separate build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv.slice(2));
