"""Benchmarks: extraction throughput, build scale, dashboard query latency, cold start.

Run them all with `python -m benchmarks.run [--quick]`; figures also land in benchmarks/out/.
"""
