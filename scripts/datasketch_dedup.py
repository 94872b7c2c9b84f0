"""The datasketch side of `npm run bench:dedup` (run only when DATASKETCH points to a datasketch
source tree; datasketch is never a dependency of this project).

Same job as `instructforge dedup --rouge-l 0` on Alpaca JSONL: text = instruction, input and
output joined by newlines; tokens as rouge_score's (lowercase, [^a-z0-9]+ separates); word
3-gram shingles (a shorter text is one shingle); MinHash.bulk with 128 permutations; MinHashLSH
at threshold 0.8; in input order, query then insert (a record with any candidate is dropped).
Prints one JSON line: records, kept, seconds inside Python (after imports) and the dropped
1-based line numbers to the file given as the second argument.
"""
import json
import re
import sys
import time

started = time.perf_counter()
sys.path.insert(0, sys.argv[1])
from datasketch import MinHash, MinHashLSH  # noqa: E402

SEPARATOR = re.compile(r"[^a-z0-9]+")


def shingles(text):
    tokens = [t for t in SEPARATOR.split(text.lower()) if t]
    if not tokens:
        return []
    width = min(3, len(tokens))
    return list({" ".join(tokens[i : i + width]).encode("utf8") for i in range(len(tokens) - width + 1)})


def main():
    path, dropped_path = sys.argv[2], sys.argv[3]
    imported = time.perf_counter()
    lines, sets = [], []
    with open(path, encoding="utf8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            record = json.loads(line)
            text = "\n".join([record["instruction"], record.get("input", ""), record.get("output", "")])
            lines.append(number)
            sets.append(shingles(text))
    minhashes = MinHash.bulk(sets, num_perm=128)
    lsh = MinHashLSH(threshold=0.8, num_perm=128)
    dropped = []
    for number, shingle_set, minhash in zip(lines, sets, minhashes):
        if shingle_set and lsh.query(minhash):
            dropped.append(number)
            continue
        lsh.insert(number, minhash)
    finished = time.perf_counter()
    with open(dropped_path, "w") as f:
        f.write("\n".join(map(str, dropped)))
    print(json.dumps({"records": len(lines), "kept": len(lines) - len(dropped), "seconds": finished - started, "secondsAfterImport": finished - imported, "bands": lsh.b, "rows": lsh.r}))


main()
