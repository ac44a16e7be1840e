"""Prints, as JSON, what a locustfile offers the conductor (used by `ltc scenario check`):

    {"pluginImported": bool, "kpiRequestName": str | null,
     "classes": {"<User class>": {"weight": int, "countsKpi": bool}}}

Usage: python inspect_locustfile.py <locustfile.py>
"""

from __future__ import annotations

import json
import os
import sys


def main(path: str) -> None:
    # The locustfile finds its conductor_plugin.py beside it, as in the image (/home/locust).
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    from locust.util.load_locustfile import load_locustfile

    user_classes, _shapes = load_locustfile(path)
    plugin = sys.modules.get("conductor_plugin")
    mark = getattr(plugin, "KPI_MARK", None)
    print(
        json.dumps(
            {
                "pluginImported": plugin is not None,
                "kpiRequestName": plugin.kpi_request_name() if plugin is not None else None,
                "classes": {
                    name: {"weight": cls.weight, "countsKpi": bool(mark and getattr(cls, mark, False))}
                    for name, cls in sorted(user_classes.items())
                },
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
