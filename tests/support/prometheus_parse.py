# SPDX-License-Identifier: BSD-3-Clause
"""Reads Prometheus text exposition on stdin, parses it with the official Python client's parser
(Debian: python3-prometheus-client) and prints what it understood as JSON on stdout:

  {"families": [{"name", "type", "help", "samples": [{"name", "labels", "value"}]}]}

A parser nobody here wrote checks our writer. Values are Python's repr() as strings ("nan",
"inf", "-inf", "0.5") because JSON has no NaN or infinity. A parse error exits with status 1 and
the error on stderr. Note the parser's own conventions: a counter family "x_total" is reported as
"x", and a counter sample without "_total" gets it appended.

Exit status 2: prometheus_client cannot be imported (tests skip then).
"""

import json
import sys

try:
    from prometheus_client.parser import text_string_to_metric_families
except ImportError as e:
    print("cannot import prometheus_client (Debian package python3-prometheus-client): %s" % e,
          file=sys.stderr)
    sys.exit(2)


def main():
    text = sys.stdin.buffer.read().decode("utf-8")
    families = []
    try:
        for family in text_string_to_metric_families(text):
            families.append({
                "name": family.name,
                "type": family.type,
                "help": family.documentation,
                "samples": [{"name": s.name, "labels": s.labels, "value": repr(float(s.value))}
                            for s in family.samples],
            })
    except Exception as e:  # the parser raises ValueError, but any failure is a test failure
        print("parse error: %s: %s" % (type(e).__name__, e), file=sys.stderr)
        return 1
    json.dump({"families": families}, sys.stdout, ensure_ascii=True)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
