/**
 * Which evolution family fits an instruction: "code" (WizardCoder's methods) for programming
 * tasks, "general" otherwise. A small pure heuristic — code fences, language names, programming
 * vocabulary — tuned to prefer "general" when in doubt: a general rewrite of a code task is still
 * fine, a "write erroneous code" rewrite of a cooking question is not.
 */

const CODE_FENCE = /```/;
const LANGUAGE_NAMES =
  /\b(python|javascript|typescript|java|c\+\+|c#|golang|rust|ruby|php|swift|kotlin|scala|haskell|perl|matlab|sql|bash|powershell|html|css|react|node\.js|numpy|pandas)\b/i;
const STRONG_PHRASES =
  /\b(write|implement|create|design|debug|fix|optimi[sz]e|refactor)\s+(a|an|the)?\s*(function|program|script|class|method|algorithm|query|regex|regular expression|code|api|unit tests?)\b/i;
const KEYWORDS =
  /\b(function|algorithm|compile[rd]?|variable|array|linked list|hash ?map|recursion|recursive|loop|regex|regular expression|api|stack trace|exception|syntax|pseudocode|data structure|binary tree|big-o|time complexity|source code|code snippet|runtime|debug)\b/gi;
const CHINESE_KEYWORDS = /代码|编程|函数|算法|程序|脚本|数据结构|正则表达式|编译|递归|数组|链表/g;

export function classifyFamily(text: string): "code" | "general" {
  if (CODE_FENCE.test(text) || LANGUAGE_NAMES.test(text) || STRONG_PHRASES.test(text)) return "code";
  const hits = (text.match(KEYWORDS)?.length ?? 0) + (text.match(CHINESE_KEYWORDS)?.length ?? 0);
  return hits >= 2 ? "code" : "general";
}
