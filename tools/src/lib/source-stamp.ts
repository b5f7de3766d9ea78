/** Written into an extracted source tree: what it was made from (see `prepareSource` in
 * pinned-source.ts). Its own module: the project plugin names it without loading the executor. */
export const SOURCE_STAMP = '.pinned-source.json';
