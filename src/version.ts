import { readFileSync } from "node:fs";
import { packageRoot } from "./paths.js";
import { join } from "node:path";

export function readPackageVersion(): string {
  const pkg = JSON.parse(readFileSync(join(packageRoot, "package.json"), "utf8")) as { version: string };
  return pkg.version;
}
