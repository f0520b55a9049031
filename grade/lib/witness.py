#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# grade/lib/witness.py KEY LOG — the witness's verdicts in a serial log that carry this boot's
# signature (grade/witness/runtime.c, verdict(): "[witness] CHECK: VERDICT #SEQ mac=HEX", the mac being
# HMAC-SHA-256(key, "SEED SEQ CHECK: VERDICT") cut to 16 bytes, SEED the hex of the first 8
# bytes of HMAC-SHA-256(key, "seed")).
#
# Prints one line per signed verdict, "CHECK<TAB>VERDICT" (VERDICT "ok" or "FAIL (why)"), and
# one "!forged<TAB>LINE" per witness line whose signature is wrong or whose sequence number
# was seen before. Exit status 0; 2 on bad usage.
import hashlib
import hmac
import re
import sys

LINE = re.compile(r'^\[witness\] (([a-z0-9-]+): (.*)) #(\d+) mac=([0-9a-f]{32})$')


def main():
    if len(sys.argv) != 3 or not re.fullmatch(r'[0-9a-f]{32}', sys.argv[1]):
        print("usage: witness.py KEY(32 hex digits) LOG", file=sys.stderr)
        return 2
    key = bytes.fromhex(sys.argv[1])
    seed = hmac.new(key, b"seed", hashlib.sha256).hexdigest()[:16]
    seen = set()
    with open(sys.argv[2], 'rb') as f:
        for raw in f:
            line = raw.decode('utf-8', 'replace').replace('\r', '').rstrip('\n').replace('\0', '')
            if not line.startswith('[witness] '):
                continue
            m = LINE.match(line)
            if not m:
                if re.search(r' mac=', line):
                    print("!forged\t" + line)
                continue                     # the witness's unsigned remarks
            body, check, verdict, seq, mac = m.groups()
            want = hmac.new(key, f"{seed} {seq} {body}".encode(), hashlib.sha256).hexdigest()[:32]
            if not hmac.compare_digest(want, mac) or seq in seen:
                print("!forged\t" + line)
                continue
            seen.add(seq)
            print(f"{check}\t{verdict}")
    return 0


if __name__ == '__main__':
    sys.exit(main())
