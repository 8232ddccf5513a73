#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Validates an OpenAPI document (a JSON file, argv[1]) against the official OAS 3.0 JSON Schema.
"""Exit 0 if the document is valid OpenAPI 3.0; otherwise print every error and exit 1.

The schema is the one the OpenAPI Initiative publishes (2019-04-02), as shipped by
python3-drf-spectacular; validation uses python3-jsonschema. Exit 2: usage or setup error.
"""

import json
import sys

SCHEMA_PATH = "/usr/lib/python3/dist-packages/drf_spectacular/validation/openapi3_schema.json"


def main(argv):
    if len(argv) != 2:
        print(f"usage: {argv[0]} OPENAPI.json", file=sys.stderr)
        return 2
    try:
        import jsonschema
    except ImportError:
        print("validate_openapi: python3-jsonschema is not installed", file=sys.stderr)
        return 2
    try:
        with open(SCHEMA_PATH, encoding="utf-8") as f:
            schema = json.load(f)
    except (OSError, ValueError) as e:
        print(f"validate_openapi: cannot load the OAS 3.0 schema {SCHEMA_PATH}: {e}", file=sys.stderr)
        return 2
    try:
        with open(argv[1], encoding="utf-8") as f:
            document = json.load(f)
    except OSError as e:
        print(f"validate_openapi: cannot read {argv[1]}: {e}", file=sys.stderr)
        return 1
    except ValueError as e:
        print(f"validate_openapi: {argv[1]} is not JSON: {e}", file=sys.stderr)
        return 1

    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    if not errors:
        print(f"{argv[1]}: valid OpenAPI {document.get('openapi', '?')}")
        return 0
    for error in errors:
        where = "/".join(str(p) for p in error.absolute_path) or "(root)"
        print(f"{argv[1]}: {where}: {error.message}")
    print(f"{argv[1]}: {len(errors)} error(s)")
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
