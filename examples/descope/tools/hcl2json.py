"""Parses Terraform files with python-hcl2 and prints them as one JSON object
{ "<file name>": <parsed> } (tests/js/descope-terraform.test.js reads it).
A file that does not parse exits 1 naming the file and the parser's message."""
import json
import sys

import hcl2

out = {}
for path in sys.argv[1:]:
    try:
        with open(path, encoding="utf-8") as f:
            out[path] = hcl2.load(f)
    except Exception as e:  # the parser's own error types differ by version
        print(f"{path}: does not parse: {e}", file=sys.stderr)
        sys.exit(1)
json.dump(out, sys.stdout)
