// The published packages run on the Node LTS lines, 22 and 24 (what they are tested on; Node 20's
// wasm is several times slower and its LTS has ended). Older, they stop at import with one line.
export const MIN_NODE_MAJOR = 22;

const major = Number(process.versions.node.split('.')[0]);
if (major < MIN_NODE_MAJOR) {
  process.stderr.write(`pywasi needs Node.js ${MIN_NODE_MAJOR} or newer (the LTS lines 22 and 24); this is Node ${process.versions.node}: upgrade Node, or run with one from nodejs.org or your package manager\n`);
  process.exit(1);
}
