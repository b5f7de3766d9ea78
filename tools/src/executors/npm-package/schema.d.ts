export interface PackageFile {
  /** Workspace-relative file or directory. */
  from: string;
  /** Where it goes inside the package; default: its base name. */
  to?: string;
}

export interface PackageDeclarations {
  /** Workspace-relative TypeScript entry point. */
  entry: string;
  /** The rolled-up .d.ts, relative to the package. */
  output: string;
}

export interface NpmPackageExecutorOptions {
  /** Workspace-relative package.json to publish from; default: the project's. */
  manifest?: string;
  /** Workspace-relative directory the package is assembled in; the tarball goes beside it as
   * <outputPath>-<version>.tgz. */
  outputPath: string;
  files: PackageFile[];
  declarations?: PackageDeclarations[];
  /** Workspace-relative tsconfig for the declarations; default tsconfig.base.json. */
  tsConfig?: string;
}
