import { readFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "./paths.js";

let version: string | undefined;

/** The installed package's version, read once (every manifest write records it). */
export function readPackageVersion(): string {
  version ??= (JSON.parse(readFileSync(join(packageRoot, "package.json"), "utf8")) as { version: string }).version;
  return version;
}
