// The entry of the published @pywasi/host: the Node check first (it stops the process on a Node
// the package does not support), then the API. The workspace imports index.ts directly.
import './node-policy.ts';

export * from './index.ts';
