"""Runs with numbers: record a training run as it happens (record), the machine it ran on
(probe), the numbers in its log (parse, series), runs on disk (store) and its loss curve (plot)."""
