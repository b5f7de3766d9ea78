export interface SourceExecutorOptions {
  name: string;
  version: string;
  sha256: string;
  /** Name in the download cache; defaults to debian.file, else the upstream URL's base name. */
  fileName?: string;
  upstreamUrl?: string;
  pypi?: string;
  debian?: { package: string; version: string; file: string };
  /** Workspace-relative directory the source is extracted into (replaced as a whole). */
  outputPath: string;
  /** Project-relative directory of *.patch files applied in name order (default "patches"). */
  patches?: string;
  stripComponents?: number;
}
