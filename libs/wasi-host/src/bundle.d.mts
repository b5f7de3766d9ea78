// Types of bundle.mjs (plain JavaScript so that it runs before any TypeScript loader).
export declare const workspaceRoot: string;
export declare const prebuiltDir: string;
export declare const GUEST_WORKER_ENTRY: string;
export declare function cacheDir(env?: NodeJS.ProcessEnv): string;
export declare function freshBundle(dir: string, name: string): string | undefined;
export declare function buildBundle(name: string, dir: string, entry: string): Promise<string>;
export declare function ensureBundle(name: string, entry: string, env?: NodeJS.ProcessEnv): Promise<string | undefined>;
