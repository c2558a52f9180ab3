"""Reference timing for the CVSS benchmark: Red Hat's Python `cvss` (pip install cvss==3.6).

Usage: cvss_reference.py ROUNDS VERSION=FILE...   (VERSION: 2.0, 3.0, 3.1, 4.0)
Reads one "<vector> - ..." line per vector, parses and scores every vector ROUNDS times after
one warm-up pass, and prints one JSON object: {"3.1": {"vectors": N, "per_second": median}}.
Constructing CVSS2/CVSS3/CVSS4 parses the vector and computes all of its scores. Time is the
thread's on-CPU time (time.thread_time), so other load on the machine does not count.
"""

import json
import statistics
import sys
import time

from cvss import CVSS2, CVSS3, CVSS4

CLASSES = {"2.0": CVSS2, "3.0": CVSS3, "3.1": CVSS3, "4.0": CVSS4}


def main():
    rounds = int(sys.argv[1])
    result = {}
    for arg in sys.argv[2:]:
        version, path = arg.split("=", 1)
        cls = CLASSES[version]
        with open(path, encoding="utf-8") as f:
            vectors = [line.split(" - ", 1)[0].strip() for line in f if line.strip()]
        for v in vectors:  # warm-up, and a check that every vector parses
            cls(v).scores()
        rates = []
        for _ in range(rounds):
            # On-CPU time of this thread, as the Rust side measures it.
            start = time.thread_time()
            for v in vectors:
                cls(v).scores()
            rates.append(len(vectors) / (time.thread_time() - start))
        result[version] = {"vectors": len(vectors), "per_second": statistics.median(rates)}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
