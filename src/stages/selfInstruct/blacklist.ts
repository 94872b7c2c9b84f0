/** `--blacklist FILE`: one word or phrase per line; blank lines and `#` comments are ignored. */
import { inputError } from "../../errors.js";
import { readUtf8Text } from "../../io/records.js";

export async function loadBlacklist(path: string): Promise<string[]> {
  const words = (await readUtf8Text(path))
    .split("\n")
    .map((line) => line.replace(/#.*/, "").trim())
    .filter((line) => line !== "");
  if (words.length === 0) throw inputError(path, undefined, "the blacklist is empty; list one word per line, or drop --blacklist (use --no-filter blacklist to switch the rule off)");
  return words;
}
