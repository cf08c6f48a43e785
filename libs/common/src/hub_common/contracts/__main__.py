"""Export every event contract as JSON Schema: ``python -m hub_common.contracts --out DIR``.

Partners validate what they publish and consume against these files (one per CloudEvents type).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from hub_common.contracts import all_contracts


def export(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for contract in all_contracts():
        schema = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"urn:hub:event:{contract.type}",
            "x-topic": contract.topic,
            **contract.json_schema(),
        }
        path = out / f"{contract.type}.json"
        path.write_text(json.dumps(schema, indent=2, sort_keys=True) + "\n")
        written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("schemas"), help="folder to write the schemas to")
    args = parser.parse_args()
    for path in export(args.out):
        print(path)


if __name__ == "__main__":
    main()
