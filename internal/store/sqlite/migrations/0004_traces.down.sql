DROP TABLE saved_trace_runs;
DROP TABLE saved_traces;
