# bench/k8s instrumentation for the original PaaSTA (paasta-tools): counts its Kubernetes API requests by HTTP
# method and writes them, with the process's CPU seconds ("cpu_seconds"), as JSON to $PAASTA_BENCH_COUNT_FILE at
# exit. The original's code is not changed: this wraps the kubernetes client's one request function, which every
# API call goes through.
import atexit
import collections
import json
import os

_path = os.environ.get("PAASTA_BENCH_COUNT_FILE")
if _path:
    _counts = collections.Counter()
    try:
        from kubernetes.client import rest

        _request = rest.RESTClientObject.request

        def _counted(self, method, url, *args, **kwargs):
            _counts[method] += 1
            return _request(self, method, url, *args, **kwargs)

        rest.RESTClientObject.request = _counted
    except ImportError:
        pass

    def _write():
        with open(_path, "w") as f:
            t = os.times()
            json.dump({**_counts, "cpu_seconds": t.user + t.system}, f)

    atexit.register(_write)
