"""Measurement harnesses the CLI runs: latency, decoding, train throughput, edit conversion,
the report over trained runs and the experiment queue. Library code, no gin."""
