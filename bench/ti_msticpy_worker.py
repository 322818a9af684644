"""The msticpy side of the TI benchmark (runs in msticpy's own virtualenv, no huntbook).

msticpy 3.0.2's HTTP TI providers build every request from the class attribute
``_BASE_URL`` plus the path of ``_QUERIES[ioc_type]``, so a subclass that
overrides ``_BASE_URL`` points the unchanged provider (its query paths, headers
and parser) at a local server. The subclasses keep msticpy's class names, and
`TILookup` gets them through ``primary_providers``: no msticpyconfig.yaml needed.

Usage::

    python bench/ti_msticpy_worker.py PORTS_JSON IPS_FILE

prints one JSON line: wall and CPU seconds of ``TILookup.lookup_iocs`` and what came back.
"""

from __future__ import annotations

import json
import sys
import time
import warnings


def main() -> None:
    ports, ips_file = json.loads(sys.argv[1]), sys.argv[2]
    with open(ips_file, encoding="utf-8") as handle:
        ips = json.load(handle)
    warnings.simplefilter("ignore")
    from msticpy.context.tilookup import TILookup
    from msticpy.context.tiproviders.abuseipdb import AbuseIPDB
    from msticpy.context.tiproviders.alienvault_otx import OTX
    from msticpy.context.tiproviders.greynoise import GreyNoise

    base = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    local = [
        type("OTX", (OTX,), {"_BASE_URL": base["otx"]}),
        # AbuseIPDB's query path has no leading slash ("api/v2/check"), so its base URL ends with one.
        type("AbuseIPDB", (AbuseIPDB,), {"_BASE_URL": base["abuseipdb"] + "/"}),
        type("GreyNoise", (GreyNoise,), {"_BASE_URL": base["greynoise"]}),
    ]
    lookup = TILookup(primary_providers=[cls(AuthKey="bench-key") for cls in local])
    start, cpu = time.perf_counter(), time.process_time()
    frame = lookup.lookup_iocs(ips, progress=False)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    ok = frame["Status"].astype(str) == "0"  # LookupStatus.OK
    print(
        json.dumps(
            {
                "seconds": seconds,
                "cpu_seconds": cpu,
                "rows": len(frame),
                "ok_rows": int(ok.sum()),
                "by_provider": frame["Provider"].value_counts().to_dict(),
                "status_values": frame["Status"].astype(str).value_counts().head(5).to_dict(),
                "severity": frame["Severity"].astype(str).value_counts().to_dict(),
            }
        )
    )


if __name__ == "__main__":
    main()
