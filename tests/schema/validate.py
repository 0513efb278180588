#!/usr/bin/env python3
"""validate.py: check json-v2 transcripts against the original's API spec.

Usage: validate.py [--spec batch.yaml] DOCUMENT...

Each DOCUMENT must be one JSON value that validates against the spec's
RetrieveTranscriptResponse definition, every $ref resolved within the spec.
One exception, from the contract: the container's own output has no "job"
block, so "job" is not required at the top level; a "job" block that is
there must be a whole JobInfo.  Prints one line per bad document,
"DOCUMENT: PATH: problem", and exits 1 if there was one, 2 on a usage error.
"""
import json
import os
import sys

import jsonschema
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))


def transcript_schema(spec_path):
    """RetrieveTranscriptResponse as a schema of its own: the spec's
    definitions come along, so "#/definitions/X" resolves as in the spec."""
    with open(spec_path, encoding="utf-8") as f:
        # libyaml's loader where there is one: a tenth of the time.
        spec = yaml.load(f, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    defs = spec["definitions"]
    schema = dict(defs["RetrieveTranscriptResponse"])
    schema["required"] = [k for k in schema["required"] if k != "job"]
    schema["definitions"] = defs
    return schema


def problem(validator, doc):
    """The first problem with doc, as "PATH: message", or None."""
    err = jsonschema.exceptions.best_match(validator.iter_errors(doc))
    if err is None:
        return None
    path = "/".join(str(p) for p in err.absolute_path) or "(top level)"
    return "%s: %s" % (path, err.message)


def main(argv):
    spec = os.path.join(HERE, "batch.yaml")
    if argv[:1] == ["--spec"] and len(argv) > 1:
        spec, argv = argv[1], argv[2:]
    if not argv or argv[0].startswith("-"):
        sys.stderr.write("usage: validate.py [--spec batch.yaml] DOCUMENT...\n")
        return 2
    # Swagger 2.0 schemas are JSON Schema draft 4, with extra keywords
    # (x-omitempty, example) that a validator ignores.
    validator = jsonschema.Draft4Validator(transcript_schema(spec))
    bad = 0
    for name in argv:
        try:
            with open(name, encoding="utf-8") as f:
                doc = json.load(f)
        except (OSError, ValueError) as e:
            msg = "not one JSON value: %s" % e
        else:
            msg = problem(validator, doc)
        if msg:
            print("%s: %s" % (name, msg))
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
